/**
 * A child workflow that runs one slice of a forEach node's items: each item is
 * a run of the body graph *inside this workflow* (the interpreter's
 * `interpretGraph` with this batch as host: no workflow per item, whose start and
 * end would cost the server and the worker more than most bodies do), at most
 * `concurrency` at once, each item's activities within 1/concurrency of the
 * workflow's budget, so this workflow's tasks stay within Temporal's
 * buffered-event limit however wide the bodies are. Item `i`'s id is
 * `<batch id>/<index>` (its activities and batch children carry it). It
 * returns every item's outcome in order and never fails: item failures are
 * outcomes. With `failFast` the first failure cancels the items still running
 * and starts no more; a cancellation request does the same.
 *
 * Every `progressEvery` ended items it tells the run (a Signal), so the node
 * shows progress while it runs at a cost of a few events per batch.
 */
import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, workflowInfo } from '@temporalio/workflow';
import { ExpressionCache } from '../src/graph/expressions';
import type { ForEachBatchInput, ForEachProgressInput, GraphWorkflowInput, ItemOutcome, NodeError } from '../src/graph/run-state';
import { FOR_EACH_PROGRESS_SIGNAL } from '../src/graph/run-state';
import { validateDefinition } from '../src/graph/validate';
import { runFailureError } from './errors';
import type { GraphHost } from './graph-workflow';
import { interpretGraph } from './graph-workflow';
import { checkedNodeTypes } from './nodes';
import { SlidingWindow } from './sliding-window';
import { withTrace } from './run-trace';

const CANCELED: NodeError = { type: 'CancelledFailure', message: 'canceled', retryable: false };

export async function forEachBatchWorkflow(input: ForEachBatchInput): Promise<ItemOutcome[]> {
  const { workflowId } = workflowInfo();
  const validation = validateDefinition(input.body, checkedNodeTypes(input.nodeTypes));
  const expressions = new ExpressionCache();
  const share = 1 / Math.max(1, input.concurrency);
  const outcomes: (ItemOutcome | undefined)[] = input.items.map(() => undefined);
  const items = new CancellationScope();
  const jobs = new SlidingWindow(input.items.length, input.concurrency, items);
  const parent = getExternalWorkflowHandle(input.parent.runId);
  let done = 0;
  let failed = 0;
  let reported = 0;

  const start = (i: number) => {
    const index = input.indices ? input.indices[i]! : input.offset + i;
    const args: GraphWorkflowInput = {
      definition: input.body,
      input: input.items[i],
      item: { value: input.items[i], index },
      ...(input.library ? { library: input.library } : {}),
      ...(input.nodeTypes ? { nodeTypes: input.nodeTypes } : {}),
      ...(input.claimCheck ? { claimCheck: true } : {}),
      ...(input.secretNonce ? { secretNonce: input.secretNonce } : {}),
      ...withTrace(input.trace),
    };
    const host: GraphHost = { runId: `${workflowId}/${index}`, share, validation, expressions };
    interpretGraph(args, host).then(
      (state) => {
        jobs.ended();
        done++;
        outcomes[i] = { ok: true, output: state.output ?? null };
      },
      (err: unknown) => {
        jobs.ended();
        done++;
        const cancelled = isCancellation(err);
        if (!cancelled) failed++;
        outcomes[i] = { ok: false, error: cancelled ? CANCELED : runFailureError(err), cancelled };
        if (!cancelled && input.failFast) jobs.stop();
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
        jobs.fill(start);
        if (jobs.idle && !jobs.more) break;
        const seen = done;
        await condition(() => done !== seen);
        if (done - reported >= input.progressEvery) await CancellationScope.nonCancellable(report);
      }
    });
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Canceled: every item started was canceled with the scope; wait for them to report.
    jobs.stopped = true;
    await CancellationScope.nonCancellable(() => condition(() => jobs.idle));
  }
  if (done !== reported) await CancellationScope.nonCancellable(report);
  return outcomes.map((o) => o ?? { ok: false, error: CANCELED, cancelled: true });
}
