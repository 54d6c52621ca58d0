import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster suite runs against `npm run cluster` (`npm run test:cluster`), the tracing suite against Jaeger (`npm run test:tracing`).
    exclude: ['test/cluster/**', 'test/tracing/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-require-ts.ts'],
    pool: 'forks',
    // test/dev-server/large-data.test.ts peaks at 2.5–3.1 GB in its fork (200 outputs of 500 KiB,
    // copied through history, the API and expressions); Node's default heap limit here is ~4 GB,
    // and under a loaded CI machine the fork has died at it. Room to spare on a 24 GiB machine.
    execArgv: ['--max-old-space-size=8192'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Temporal servers and workers are heavy; two cores, two files at a time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
