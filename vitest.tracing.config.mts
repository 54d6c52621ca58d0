// The tracing suite (`npm run test:tracing`): against a real Jaeger, built
// from its Go module by `npm run jaeger -- --build-only` (.ci/run does it
// first; a clone without it builds it in the suite's setup, for minutes).
// Apart from `npm test` so that a fresh clone's `npm test` never waits for a
// Go build.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/tracing/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-require-ts.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 20 * 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
