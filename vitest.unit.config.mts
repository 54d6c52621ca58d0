import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the fast tier. Pure code (the graph layer, the
 * CLI's formatting, the docs), each node type's executor on a fake context,
 * and the API through `app.request()` on a fake run store: no Temporal, no
 * database server, no browser, no workflow bundle. Everything else is in
 * `npm test` (CONTRIBUTING, "Test tiers").
 */
export default defineConfig({
  test: {
    include: [
      'test/graph/**/*.test.ts',
      'test/workflows/nodes/**/*.test.ts',
      'test/workflows/patches.test.ts',
      'test/api/**/*.test.ts',
      'test/docs/**/*.test.ts',
      'test/house/**/*.test.ts',
    ],
    setupFiles: ['test/setup-require-ts.ts', 'test/setup-zod-openapi.ts'],
    pool: 'threads',
    // One module graph per worker thread: the same zod, JSONata and Hono imported once, not per file (these tests keep no global state).
    isolate: false,
    testTimeout: 20_000,
  },
});
