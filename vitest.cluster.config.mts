// The cluster suite (`npm run test:cluster`): every test file talks to one
// `npm run cluster` that test/cluster/global-setup.ts starts (PostgreSQL, the
// Temporal server as five processes, the Web UI, two Braid workers, two
// Braid APIs). Files run one at a time: they share that cluster, and one of
// them kills its processes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    setupFiles: ['test/setup-require-ts.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
