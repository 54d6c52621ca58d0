/**
 * A child workflow that runs one slice of a wide ready set: the run's workflow
 * evaluated each node's request and options; this one schedules them with at
 * most `window` in flight (so its own workflow tasks stay within Temporal's
 * buffered-event limit), and returns every node's outcome in order. It never
 * fails: node failures are outcomes. With `failFast`, the first failure of a
 * node that fails the run cancels the rest; a cancellation request does the
 * same, and the outcomes are still returned.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { CancellationScope, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities, Attempted, HttpRequestInput } from '../activities';
import { tryActivityId, untilSent } from './until-sent';
import type { NodeError } from '../src/graph/run-state';
import { toNodeError } from './errors';
import { SlidingWindow } from './sliding-window';

export interface BatchCall {
  nodeId: string;
  options: ActivityOptions;
  request: HttpRequestInput;
  /** The node's failure fails the run (onError "fail"). */
  failsRun: boolean;
}

export interface BatchInput {
  calls: BatchCall[];
  window: number;
  failFast: boolean;
  /** The run's payloads are claim-checked: a large result is stored outside history, so no output is dropped. */
  claimCheck?: boolean;
}

export type BatchOutcome = { nodeId: string; ok: true; result: Attempted<unknown> } | { nodeId: string; ok: false; error: NodeError; cancelled: boolean };

const CANCELED: NodeError = { type: 'CancelledFailure', message: 'canceled', retryable: false };

export async function nodeBatchWorkflow(input: BatchInput): Promise<BatchOutcome[]> {
  const outcomes: (BatchOutcome | undefined)[] = input.calls.map(() => undefined);
  // One scope for every call: stopping cancels them all (and a scope per call costs promises).
  const calls = new CancellationScope();
  const jobs = new SlidingWindow(input.calls.length, input.window, calls);
  const start = (i: number) => {
    const call = input.calls[i]!;
    untilSent((n) => proxyActivities<Activities>({ ...call.options, activityId: tryActivityId(call.options.activityId, n) }).http(call.request)).then(
      (result) => {
        jobs.ended();
        outcomes[i] = { nodeId: call.nodeId, ok: true, result };
      },
      (err: unknown) => {
        jobs.ended();
        const cancelled = isCancellation(err);
        outcomes[i] = { nodeId: call.nodeId, ok: false, error: toNodeError(err), cancelled };
        if (!cancelled && call.failsRun && input.failFast) jobs.stop();
      },
    );
  };
  try {
    while (jobs.more || !jobs.idle) {
      if (jobs.hasRoom) void calls.run(async () => jobs.fill(start));
      await condition(() => jobs.idle || jobs.hasRoom);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      jobs.stop();
      await condition(() => jobs.idle);
    });
  }
  const all = input.calls.map((c, i): BatchOutcome => outcomes[i] ?? { nodeId: c.nodeId, ok: false, error: CANCELED, cancelled: true });
  return input.claimCheck === true ? all : fitBatchResult(all);
}

/**
 * Temporal refuses a workflow result over 2 MB, and a batch's result carries
 * every node's output (each up to HTTP_MAX_RESPONSE_BYTES). Past this budget
 * the largest outputs are replaced by a marker, so the batch always completes;
 * each node's own activity result in this child's history keeps the value.
 * Not when the run's payloads are claim-checked: the result is then stored
 * outside history whatever its size.
 */
export const BATCH_RESULT_BUDGET = 1_500_000;

export const OMITTED_OUTPUT = { omitted: 'output too large to return from a batch; see the activity result in the batch child workflow' } as const;

export function fitBatchResult(outcomes: BatchOutcome[]): BatchOutcome[] {
  const sizes = outcomes.map((o) => JSON.stringify(o).length);
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= BATCH_RESULT_BUDGET) return outcomes;
  const largest = outcomes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
  const out = [...outcomes];
  for (const i of largest) {
    if (total <= BATCH_RESULT_BUDGET) break;
    const o = out[i]!;
    if (!o.ok) continue;
    out[i] = { ...o, result: { ...o.result, output: OMITTED_OUTPUT } };
    total -= sizes[i]! - JSON.stringify(out[i]).length;
  }
  return out;
}
