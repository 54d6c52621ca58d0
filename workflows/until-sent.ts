/**
 * An http activity that waited for its host's limit as long as its attempt
 * allowed gives up before its deadline, having sent nothing, and reports
 * `deferred` (activities/http-request.ts): it is started again as a fresh
 * activity (attempt 1, a new start-to-close), so waiting never fails a node
 * and never uses up its retries. The time it waited adds up as queued time.
 *
 * Histories recorded before this could happen replay unchanged: no activity
 * of theirs returned `deferred`, and only such a result schedules anything new.
 */
import type { Attempted } from '../activities';

/** `call(n)` starts the n-th try (0 first); a try after the first needs an activity id of its own. */
export function untilSent(call: (tryIndex: number) => Promise<Attempted<unknown>>, tryIndex = 0, waitedMs = 0): Promise<Attempted<unknown>> {
  return call(tryIndex).then((r) =>
    r.deferred ? untilSent(call, tryIndex + 1, waitedMs + r.queuedMs + r.runMs) : waitedMs === 0 ? r : { ...r, queuedMs: r.queuedMs + waitedMs },
  );
}

/** The activity id of a node's n-th try: its own id first, then `<id>~n`. */
export function tryActivityId(activityId: string | undefined, tryIndex: number): string | undefined {
  return tryIndex === 0 || activityId === undefined ? activityId : `${activityId}~${tryIndex}`;
}
