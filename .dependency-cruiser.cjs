/**
 * `npm run lint` runs this after ESLint: no import cycles in Braid's own code,
 * type-only imports included (tsPreCompilationDeps), so that every module can
 * be read, tested and bundled on its own; and no workflow code reachable from
 * the API, the CLI, the pages or the custom node-type module; no HTTP in
 * the run domain.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: break it by moving what both sides need into a module of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-workflow-code-outside-the-worker',
      severity: 'error',
      comment:
        'The API, the CLI, the pages and the module custom node-type authors import read node types from their specs (src/graph/nodes/), never from workflow code: ' +
        'workflows/ loads @temporalio/workflow and belongs to the worker. Followed transitively, type-only imports included.',
      from: { path: '^src/(api|cli|ui)/|^src/(api|cli|node-types)[.]ts$' },
      to: { path: '^workflows/', reachable: true },
    },
    {
      name: 'run-domain-apart-from-http',
      severity: 'error',
      comment:
        'The run domain (src/runs/) is used by the API and the worker alike: it knows nothing of HTTP. Its errors are BraidErrors by kind; src/api maps them to problems.',
      from: { path: '^src/runs/' },
      to: { path: '^src/(api|ui|cli)/|^src/api[.]ts$|node_modules/(hono|@hono)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
