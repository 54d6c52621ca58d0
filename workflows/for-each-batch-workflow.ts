/**
 * A child workflow that runs one slice of a forEach node's items: each item is
 * a run of the body graph (the interpreter as workflow type `braidItem`, a
 * child of this batch), at most `concurrency` at once — a window that also
 * keeps this workflow's tasks within Temporal's buffered-event limit. It
 * returns every item's outcome in order and never fails: item failures are
 * outcomes. With `failFast` the first failure cancels the items still running
 * and starts no more; a cancellation request does the same.
 *
 * Every `progressEvery` ended items it tells the run (a Signal), so the node
 * shows progress while it runs at a cost of a few events per batch.
 */
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { ForEachProgressInput, GraphWorkflowInput, NodeError, RunState, SavedRef } from '../src/graph/run-state';
import { FOR_EACH_PROGRESS_SIGNAL, ITEM_WORKFLOW_TYPE } from '../src/graph/run-state';
import { toNodeError } from './errors';

export interface ForEachBatchInput {
  /** The run and node this batch works for (progress goes there). */
  parent: { runId: string; nodeId: string };
  batch: number;
  body: unknown;
  library?: Record<string, SavedRef>;
  items: unknown[];
  /** Index of the first item in the node's whole list. */
  offset: number;
  concurrency: number;
  failFast: boolean;
  progressEvery: number;
}

export type ItemOutcome = { ok: true; output: unknown } | { ok: false; error: NodeError; cancelled: boolean };

const CANCELED: NodeError = { type: 'CancelledFailure', message: 'canceled', retryable: false };

export async function forEachBatchWorkflow(input: ForEachBatchInput): Promise<ItemOutcome[]> {
  const { workflowId } = workflowInfo();
  const outcomes: (ItemOutcome | undefined)[] = input.items.map(() => undefined);
  const items = new CancellationScope();
  const parent = getExternalWorkflowHandle(input.parent.runId);
  let next = 0;
  let running = 0;
  let done = 0;
  let failed = 0;
  let reported = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
    items.cancel();
  };

  const start = (i: number) => {
    running++;
    const index = input.offset + i;
    const args: GraphWorkflowInput = {
      definition: input.body,
      input: input.items[i],
      item: { value: input.items[i], index },
      ...(input.library ? { library: input.library } : {}),
    };
    executeChild<(a: GraphWorkflowInput) => Promise<RunState>>(ITEM_WORKFLOW_TYPE, {
      workflowId: `${workflowId}/${index}`,
      args: [args],
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    }).then(
      (state) => {
        running--;
        done++;
        outcomes[i] = { ok: true, output: state.output ?? null };
      },
      (err: unknown) => {
        running--;
        done++;
        const cancelled = isCancellation(err);
        if (!cancelled) failed++;
        const cause = (err as { cause?: unknown }).cause ?? err;
        outcomes[i] = { ok: false, error: cancelled ? CANCELED : toNodeError(cause), cancelled };
        if (!cancelled && input.failFast) stop();
      },
    );
  };

  const report = async () => {
    reported = done;
    const progress: ForEachProgressInput = { nodeId: input.parent.nodeId, batch: input.batch, done, failed };
    // The run may have ended meanwhile (failFast elsewhere): progress is best effort.
    await parent.signal(FOR_EACH_PROGRESS_SIGNAL, progress).catch(() => undefined);
  };

  try {
    await items.run(async () => {
      for (;;) {
        while (!stopped && running < input.concurrency && next < input.items.length) start(next++);
        if (running === 0 && (stopped || next >= input.items.length)) break;
        const seen = done;
        await condition(() => done !== seen);
        if (done - reported >= input.progressEvery) await CancellationScope.nonCancellable(report);
      }
    });
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Canceled: every item started was canceled with the scope; wait for them to report.
    stopped = true;
    await CancellationScope.nonCancellable(() => condition(() => running === 0));
  }
  if (done !== reported) await CancellationScope.nonCancellable(report);
  return outcomes.map((o) => o ?? { ok: false, error: CANCELED, cancelled: true });
}
