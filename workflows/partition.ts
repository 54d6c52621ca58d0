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
 *   run:   15 activities × 2 + 30 children × 2 + 1 timer + 1 cancel = 92
 *   batch: 45 activities × 2 + 1 cancel = 91
 *
 * so up to 15 + 30 × 45 = 1,365 remote activities run at once, more than the
 * largest `maxParallel` (1,000).
 */
export const PARTITION = {
  /** Remote activities the run's own workflow keeps in flight. */
  inlineActivities: 15,
  /** Batch child workflows in flight at once. */
  children: 30,
  /** Activities one batch child keeps in flight; also the largest batch. */
  childWindow: 45,
  /** The smallest batch worth a child workflow (unless fewer nodes wait). */
  minBatch: 10,
} as const;
