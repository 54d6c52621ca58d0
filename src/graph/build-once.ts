/**
 * Values built once per JavaScript realm and shared by every module instance
 * in it: Braid's zod schemas.
 *
 * Why: a Temporal worker evaluates the workflow bundle's modules again for
 * every workflow it creates (each workflow gets its own module instances),
 * and building the graph's, node types' and credentials' zod schemas was
 * most of that: about 40 ms of CPU per run on a busy worker, the largest
 * part of a run's first workflow task (docs/performance.md). The worker
 * preloads this module and zod (WORKFLOW_PRELOAD_MODULES), so both are
 * evaluated once per workflow thread, and each schema module's
 * `buildOnce(key, build)` returns what the thread's first workflow built.
 *
 * Safe to share: a zod schema is not changed by parsing (methods return new
 * schemas; what zod caches on one is derived from the schema alone), no
 * build reads a run's data, time or randomness, and no run can reach the
 * map. Anywhere else (the API, tests, a bundle without the preload) this is
 * a plain module-level memo, or one per workflow: the same values either way.
 *
 * The map lives in this function's closure, not in an export: the SDK
 * deep-freezes what a preloaded module exports, and zod schemas must stay
 * extensible (they bind methods and cache on first use).
 */
const built = new Map<string, unknown>();

/** What `build` returned the first time `key` was asked for in this realm. Keys are module paths (test/graph/build-once.test.ts checks each is used once). */
export function buildOnce<T>(key: string, build: () => T): T {
  if (built.has(key)) return built.get(key) as T;
  const value = build();
  built.set(key, value);
  return value;
}
