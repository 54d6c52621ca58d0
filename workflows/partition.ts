/**
 * How much one workflow keeps in flight. While a workflow task runs, the
 * server buffers the events that arrive for the workflow and force-closes the
 * task past `history.maximumBufferedEventsBatch` (100 by default, and not
 * settable on Temporal Cloud), after which the worker replays the whole
 * history. Each activity completion buffers two events (started and
 * completed), each child workflow two (started and completed), the timer wheel
 * one, a cancellation request one. The budgets below keep the worst case under
 * 100 in the run's workflow and in each batch child:
 *
 *   run:   48 slots (an activity or a child each) × 2 + 1 timer + 1 cancel = 98
 *   batch: 45 activities × 2 + 1 cancel = 91
 *
 * A ready set of up to 48 activities runs in the run's own history in one wave, up to 144 in
 * waves of its own slots; a wider one takes as few children as cover it, up
 * to 30 children × 45 + 18 own = 1,368 activities at once, more than the
 * largest `maxParallel` (1,000).
 */
export const PARTITION = {
  /** Activities and batch children the run's own workflow keeps in flight together. */
  slots: 48,
  /** Most batch children in flight at once. */
  children: 30,
  /** Activities one batch child keeps in flight; also the largest batch. */
  childWindow: 45,
  /**
   * A queue that the run's own slots clear in this many waves or fewer stays in the run
   * (measured: 100 siblings of 50 ms took 474 ms with two children, against
   * 282 ms for a hand-written Promise.all).
   */
  ownWavesBeforeChildren: 3,
} as const;

/**
 * Local activities record their results as markers in the completion of the
 * workflow task they ran in, and Temporal refuses a completion over 4 MB
 * (gRPC's limit): a 1,000-wide local fan-out of 8 KB responses failed the run
 * with GrpcMessageTooLarge. So local results are budgeted in bytes per
 * workflow task: a local node starts only while the results already recorded
 * in this task plus a reservation for each one in flight (the largest result
 * seen so far, `localFirstEstimate` before any) stay under `localTaskBytes`;
 * when nothing more fits, the run ends the task with a 1 ms timer and goes on
 * in the next. A local node's response is capped at `localMaxResponseBytes`.
 */
export const LOCAL_BUDGET = {
  localTaskBytes: 2_000_000,
  localFirstEstimate: 64 * 1024,
  localMaxResponseBytes: 256 * 1024,
} as const;

/**
 * forEach: items run in batch children (`forEachBatchWorkflow`) of at most
 * `itemsPerBatch` items, at most `batchesInFlight` batches at once, each with
 * at most `window` item runs in flight (each ending item buffers about two
 * events in the batch, so 40 stay under Temporal's 100). A batch of 500
 * items records about 4,000 events; a run of 10,000 items has 20 batches.
 */
export const FOR_EACH = {
  itemsPerBatch: 500,
  batchesInFlight: 10,
  window: 40,
  /** Progress signals per batch (about). */
  reportsPerBatch: 10,
} as const;

/** What a dispatcher has in flight and may use (its share of PARTITION). */
export interface Budget {
  /** Remote activities in flight in the run's own workflow. */
  own: number;
  /** Batch children in flight. */
  children: number;
  slots: number;
  maxChildren: number;
}

/**
 * Where `waiting` queued activity nodes go now: the fewest new batch children
 * that, with the slots left for the run's own activities, take the whole queue (or
 * as much as the budget allows); its own first, the rest spread evenly over
 * the new children. A child costs a few round trips of its own, about what a
 * couple of waves of its own activities cost, so a queue that its own slots
 * clear in `ownWavesBeforeChildren` waves stays in the run. Pure.
 */
export function placeQueue(waiting: number, b: Budget): { own: number; batches: number[] } {
  const free = b.slots - b.own - b.children;
  if (free <= 0 || waiting === 0) return { own: 0, batches: [] };
  const ownWaves = Math.ceil(waiting / b.slots);
  const maxNew = ownWaves <= PARTITION.ownWavesBeforeChildren ? 0 : Math.max(0, Math.min(free - 1, b.maxChildren - b.children));
  let k = 0;
  while (k < maxNew && free - k + k * PARTITION.childWindow < waiting) k++;
  const own = Math.min(waiting, free - k);
  const batches: number[] = [];
  let rest = waiting - own;
  for (let i = k; i > 0 && rest > 0; i--) {
    const size = Math.min(PARTITION.childWindow, Math.ceil(rest / i));
    batches.push(size);
    rest -= size;
  }
  return { own, batches };
}

/**
 * Whether one more local activity may start in this workflow task: the
 * results recorded in it so far plus a reservation for each one in flight
 * (the largest result seen, `localFirstEstimate` before any) stay within
 * the task's byte budget. Pure.
 */
export function localFits(recordedBytes: number, inFlight: number, largestResult: number, taskBytes: number): boolean {
  return recordedBytes + (inFlight + 1) * (largestResult || LOCAL_BUDGET.localFirstEstimate) <= taskBytes;
}
