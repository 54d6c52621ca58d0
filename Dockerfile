# One image for the Braid API and worker (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production BRAID_SKIP_TEMPORAL_INSTALL=1
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# The volumes docker-compose.yml mounts here start from these folders: the node user's.
RUN mkdir -p /var/lib/braid/payloads /var/lib/braid/data && chown -R node:node /var/lib/braid
USER node
CMD ["npm", "run", "api"]
