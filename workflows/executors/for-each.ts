/**
 * `forEach`: runs the body graph (`data.body`, or the saved `data.ref`) once
 * per item of `data.items`, each item its own run whose nodes see `$item`
 * and `$index` (and `$input` = the item). Items go to batch child workflows
 * (`partition.ts` FOR_EACH) so no history grows near Temporal's limits
 * however long the list; `data.maxConcurrency` (default 10) item runs at
 * once in all. Output: the item runs' outputs in item order; with
 * `toleratedFailurePercentage` above 0, one `{ index, status, output | error }`
 * per item instead, and the node fails only past that share of failures
 * (with 0, the first failure cancels the rest and fails the node). The
 * node's `timeout` bounds the whole loop. The node state shows
 * `progress: { done, failed, total }` while it runs.
 */
import { CancellationScope, CancelledFailure, ChildWorkflowCancellationType, executeChild, isCancellation, sleep } from '@temporalio/workflow';
import { durationMs } from '../../src/graph/duration';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { ForEachBatchInput, ItemOutcome, NodeError } from '../../src/graph/run-state';
import { childRunId, FOR_EACH_BATCH_WORKFLOW_TYPE } from '../../src/graph/run-state';
import { FOR_EACH_DEFAULT_CONCURRENCY, FOR_EACH_MAX_ITEMS } from '../../src/graph/schema';
import { NodeFailure, toNodeError } from '../errors';
import { FOR_EACH } from '../partition';
import type { Executor } from './types';
import { describeValue } from './types';

export const forEach: Executor = async (node, ctx) => {
  const items = await ctx.evaluate(node.data.items, 'data.items');
  if (!Array.isArray(items)) throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.items must be an array, got ${describeValue(items)}`);
  if (items.length > FOR_EACH_MAX_ITEMS) {
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.items has ${items.length} items; a forEach takes at most ${FOR_EACH_MAX_ITEMS}`);
  }
  const ref = typeof node.data.ref === 'string' ? node.data.ref : undefined;
  const saved = ref === undefined ? undefined : ctx.run.library[ref];
  if (ref !== undefined && saved === undefined) {
    throw new NodeFailure(FAILURE_TYPES.unknownWorkflowRef, `saved workflow "${ref}" was not resolved when the run started`);
  }
  const body = saved ? saved.definition : node.data.body;
  const total = items.length;
  const maxConcurrency = typeof node.data.maxConcurrency === 'number' ? node.data.maxConcurrency : FOR_EACH_DEFAULT_CONCURRENCY;
  const tolerated = typeof node.data.toleratedFailurePercentage === 'number' ? node.data.toleratedFailurePercentage : 0;
  const startedMs = Date.now();
  ctx.markProgress(node, { done: 0, failed: 0, total });

  // Slices, and how many run at once with how many items each.
  const slices: { offset: number; items: unknown[] }[] = [];
  for (let offset = 0; offset < total; offset += FOR_EACH.itemsPerBatch) slices.push({ offset, items: items.slice(offset, offset + FOR_EACH.itemsPerBatch) });
  const inFlight = Math.max(1, Math.min(slices.length, FOR_EACH.batchesInFlight, maxConcurrency));
  const perBatch = Math.max(1, Math.min(FOR_EACH.window, Math.floor(maxConcurrency / inFlight)));

  const outcomes: (ItemOutcome | undefined)[] = new Array(total);
  const batches = new CancellationScope();
  let firstFailure: { index: number; error: NodeError } | undefined;
  let timedOut = false;
  let failedCount = 0;
  const idBase = childRunId(ctx.run.id, node.id);

  const runSlice = async (k: number): Promise<void> => {
    const slice = slices[k]!;
    const input: ForEachBatchInput = {
      parent: { runId: ctx.run.id, nodeId: node.id },
      batch: k,
      body,
      ...(Object.keys(ctx.run.library).length > 0 ? { library: { ...ctx.run.library } } : {}),
      ...(ctx.run.nodeTypes.length > 0 ? { nodeTypes: [...ctx.run.nodeTypes] } : {}),
      items: slice.items,
      offset: slice.offset,
      concurrency: perBatch,
      failFast: tolerated === 0,
      progressEvery: Math.max(1, Math.ceil(slice.items.length / FOR_EACH.reportsPerBatch)),
    };
    let result: ItemOutcome[];
    try {
      result = await executeChild<(i: ForEachBatchInput) => Promise<ItemOutcome[]>>(FOR_EACH_BATCH_WORKFLOW_TYPE, {
        workflowId: `${idBase}/batch-${k}`,
        args: [input],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        staticSummary: `Braid forEach ${node.id} of run ${ctx.run.id}: items ${slice.offset}–${slice.offset + slice.items.length - 1}`,
        memo: { parentRunId: ctx.run.id, parentNodeId: node.id },
      });
    } catch (err) {
      if (isCancellation(err)) return;
      throw err;
    }
    result.forEach((o, i) => {
      const index = slice.offset + i;
      outcomes[index] = o;
      if (!o.ok && !o.cancelled) {
        failedCount++;
        if (!firstFailure) firstFailure = { index, error: o.error };
      }
    });
    if (tolerated === 0 && firstFailure) batches.cancel();
  };

  const timeoutMs = node.timeout === undefined ? undefined : durationMs(node.timeout);
  const deadline = new CancellationScope();
  if (timeoutMs !== undefined) {
    void deadline
      .run(() => sleep(timeoutMs))
      .then(
        () => {
          timedOut = true;
          batches.cancel();
        },
        () => undefined,
      );
  }
  try {
    await batches.run(async () => {
      let next = 0;
      const worker = async () => {
        while (next < slices.length && !(tolerated === 0 && firstFailure)) await runSlice(next++);
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    });
  } catch (err) {
    if (!isCancellation(err) || (!timedOut && !firstFailure)) throw err;
  } finally {
    deadline.cancel();
  }
  // The node itself was canceled (failFast elsewhere, the run canceled): so is the loop.
  if (batches.consideredCancelled && !timedOut && !firstFailure) throw new CancelledFailure('forEach canceled');
  const runMs = Date.now() - startedMs;
  // Done: items that ran to an end (canceled ones did not).
  const progress = { done: outcomes.filter((o) => o !== undefined && (o.ok || !o.cancelled)).length, failed: failedCount, total };
  if (timedOut) {
    throw new NodeFailure('TimeoutFailure', `forEach did not finish within ${node.timeout} (${progress.done} of ${total} items done)`, { progress });
  }
  if (tolerated === 0) {
    if (firstFailure) {
      throw new NodeFailure(FAILURE_TYPES.forEachItemFailed, `item ${firstFailure.index} failed: ${firstFailure.error.message}`, {
        index: firstFailure.index,
        error: firstFailure.error,
        progress,
      });
    }
    return { output: outcomes.map((o) => (o?.ok ? o.output : null)), attempts: 1, runMs, execution: 'workflow', progress };
  }
  const output = outcomes.map((o, index) =>
    o?.ok ? { index, status: 'succeeded', output: o.output } : { index, status: o?.cancelled ? 'canceled' : 'failed', error: o?.error ?? toNodeError('not run') },
  );
  if ((failedCount / Math.max(1, total)) * 100 > tolerated) {
    throw new NodeFailure(FAILURE_TYPES.forEachItemFailed, `${failedCount} of ${total} items failed, more than the tolerated ${tolerated}%`, {
      failed: failedCount,
      total,
      progress,
    });
  }
  return { output, attempts: 1, runMs, execution: 'workflow', progress };
};
