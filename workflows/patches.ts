/**
 * Every `patched()` id the interpreter asks, in the order they shipped: what
 * each changed in what a run records, and where the histories recorded before
 * it live (`test/fixtures/histories/<before>/`, replayed by
 * test/replay/replay.test.ts). A patch without a folder is asked only by runs
 * that meet its condition, and no recorded history met it before the patch
 * (the reason is in `before`'s place, `unchanged`).
 *
 * The modules that ask a patch take its id from here; CONTRIBUTING's table is
 * checked against this list (test/workflows/patches.test.ts), and so is every
 * `patched(` in `workflows/`.
 */
export interface Patch {
  id: string;
  /** The work that introduced it. */
  since: string;
  /** What a run records differently when the patch says yes. */
  changed: string;
  /** The history folder that replays the behaviour before the patch, or why none is needed. */
  before: { folder: string } | { unchanged: string };
}

export const PATCHES = {
  scale: {
    id: 'braid-scale-v1',
    since: 'the scale work (issue 9)',
    changed:
      'partitioned activities (batch child workflows for wide ready sets, `workflows/partition.ts`), `execution: "local"`, the shared delay timer (`workflows/timer-wheel.ts`) and one cancellation scope for all nodes. Asked once at the start of a run.',
    before: { folder: 'v1' },
  },
  historyGuard: {
    id: 'braid-history-guard-v1',
    since: 'the history guard (issue 13)',
    changed: 'a run whose history reaches 40,000 events or 40 MB stops its nodes and fails with `HistoryLimit`.',
    before: { unchanged: 'asked only when a limit is crossed; no recorded history crosses one' },
  },
  fastExpressions: {
    id: 'braid-fast-expressions-v1',
    since: 'latency (issue 21)',
    changed:
      'simple expressions (literals, `$var.name` paths, `&`, `$string`) evaluated without promises (`src/graph/fast-expression.ts`); an http node with such an expression queues its request in launch order. Asked once per run (and per forEach item).',
    before: { folder: 'v2' },
  },
  seeds: {
    id: 'braid-seeds-v1',
    since: 'redrive and test runs',
    changed: "seeded nodes (a redrive's reused outputs, a test run's pins) succeed at once without running.",
    before: { unchanged: 'asked only by a run that has seeds; none could before the patch' },
  },
  cache: {
    id: 'braid-cache-v1',
    since: 'node caching',
    changed: 'a node with `cache` looks its output up first (`workflows/node-cache.ts`).',
    before: { unchanged: 'asked only when a node with `cache` runs; none could before the patch' },
  },
  startOrder: {
    id: 'braid-start-order-v1',
    since: 'scheduling under limits (issue 22)',
    changed: 'waiting activity nodes start longest remaining path first (`src/graph/start-order.ts`) instead of in definition order.',
    before: { unchanged: 'asked only when more nodes take a `maxParallel` slot than there are slots; no recorded history did' },
  },
  hostOrder: {
    id: 'braid-host-order-v1',
    since: 'scheduling under limits (issue 22)',
    changed: "`http` nodes that may wait for a host's limit start longest remaining path first, and each request carries its node's remaining path.",
    before: { folder: 'v3' },
  },
  secretNonce: {
    id: 'braid-secret-nonce-v1',
    since: 'trust boundaries (issue 32)',
    changed:
      'a run that names a secret draws a nonce (the `secretNonce` local activity) before its first evaluation; its placeholders carry it and its `http` requests send it (`workflows/secret-scope.ts`).',
    before: { folder: 'v4' },
  },
  internalActivities: {
    id: 'braid-internal-activities-v1',
    since: 'trust boundaries (issue 32)',
    changed: "an `activity` node that names one of Braid's own activities fails instead of calling it.",
    before: { unchanged: 'asked only by such a node; the `subworkflow` histories in `v2/` and `v3/` call `http` that way and replay as they ran' },
  },
  mergeAnyWinner: {
    id: 'braid-merge-any-winner-v1',
    since: 'semantics (issue 33)',
    changed: 'a `merge` in mode `any` passes on only the input that made it ready, where it passed every input taken by the time it ran.',
    before: { folder: 'v5' },
  },
  pause: {
    id: 'braid-pause-v1',
    since: 'run controls (issue 37)',
    changed: 'a `pause` update stops the loop starting nodes and upserts the BraidPaused search attribute; `resume` removes it and starts what became ready.',
    before: { unchanged: 'asked only by a pause or resume update, which no run recorded before received' },
  },
  deadline: {
    id: 'braid-deadline-v1',
    since: 'run controls (issue 37)',
    changed: 'a run with `settings.timeout` starts a timer at its start; when it fires, running nodes are canceled and the run fails with RunTimedOut.',
    before: { unchanged: 'asked only by a run with `settings.timeout`, which no definition could have before' },
  },
  admission: {
    id: 'braid-admission-v1',
    since: 'run controls (issue 37)',
    changed:
      'a run with `settings.concurrency` or `settings.rateLimit` waits (status `queued`, the BraidQueued search attribute) until its limits take it in (the `admitRun` activity, the `braid-admitted` signal) and releases its slot when it ends.',
    before: { unchanged: 'asked only by a run with those settings, which no definition could have before' },
  },
  trace: {
    id: 'braid-trace-v1',
    since: 'traces (issue 38)',
    changed:
      "a traced run's `http` requests carry their node's `traceparent`, and its subworkflow and forEach children start with it as their trace context (`workflows/run-trace.ts`); its run and node spans go out through the `braidTrace` sink, which records nothing.",
    before: { unchanged: 'asked only by a run started with a trace context (`args.trace`), which no run had before' },
  },
  flowHistory: {
    id: 'braid-flow-history-v1',
    since: 'run controls (issue 37)',
    changed:
      'admission and trigger-buffer workflows continue as new past 1,000 events instead of 5,000, so a worker that takes one over replays it within its task timeout. Asked once when each starts.',
    before: { folder: 'v6' },
  },
  deadlineFromStart: {
    id: 'braid-deadline-from-start-v1',
    since: 'run controls (issue 37)',
    changed:
      "a run's deadline timer counts from the execution's start (when the run was accepted) instead of from its first workflow task; a run whose first task comes after its deadline fails at once, having started nothing. Asked once, by a run with `settings.timeout`.",
    before: { folder: 'v7' },
  },
  entityTimer: {
    id: 'braid-entity-timer-v1',
    since: 'run controls (issue 37)',
    changed:
      "an admission workflow keeps one timer for its next due time (the held slots' check, a rate limit's window, a grant to send again) while that time stays the same, instead of starting a timer for each wait and canceling it when a signal or update came first: a run's release and the next one's grant no longer record a TimerCanceled and a TimerStarted. Asked once when each starts.",
    before: { folder: 'v8' },
  },
} as const satisfies Record<string, Patch>;
