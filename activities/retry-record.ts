/**
 * Why an activity's earlier attempts failed, for the `retry` events of its
 * node's span (issue 38). Temporal retries an activity on the server and tells
 * the next attempt nothing of the last one's failure, but it does hand the
 * next attempt the last heartbeat details: a failing attempt records its error
 * type there, and the next one reads the list. An attempt that left no record
 * ended without its code answering (its worker died, or it timed out): it is
 * a `TimeoutFailure`, the failure Temporal gave it.
 */
import { Context } from '@temporalio/activity';

export interface RetryRecord {
  retries: string[];
}

/** Records an attempt's details on the server before it fails (src/worker.ts: one awaited heartbeat through its client). */
export type RecordAttempt = (taskToken: Uint8Array, record: RetryRecord) => Promise<void>;

export const UNREPORTED_FAILURE = 'TimeoutFailure';

/** The error types of attempts 1 … attempt − 1, oldest first, from the details the server handed this attempt. */
export function earlierFailures(details: unknown, attempt: number): string[] {
  const recorded = (details as Partial<RetryRecord> | null | undefined)?.retries;
  const known = Array.isArray(recorded) ? recorded.slice(0, attempt - 1).map((t) => (typeof t === 'string' ? t.slice(0, 100) : UNREPORTED_FAILURE)) : [];
  while (known.length < attempt - 1) known.push(UNREPORTED_FAILURE);
  return known;
}

/**
 * Leaves `record` for the next attempt: through `recordAttempt` when the worker
 * has a client (a heartbeat answered before the failure is sent), and in the
 * SDK's own heartbeat, which a server that keeps a failing attempt's last
 * heartbeat also delivers.
 */
export async function leaveForNextAttempt(record: RetryRecord, recordAttempt: RecordAttempt | undefined): Promise<void> {
  const ctx = Context.current();
  ctx.heartbeat(record);
  if (recordAttempt) await recordAttempt(ctx.info.taskToken, record).catch(() => undefined);
}
