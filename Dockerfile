# One image for the Braid API and worker (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production BRAID_SKIP_TEMPORAL_INSTALL=1
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
USER node
CMD ["npm", "run", "api"]
