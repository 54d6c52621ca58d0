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
import { NodeFailure, toNodeError } from '../errors';
import { FOR_EACH } from '../partition';
import type { NodeSpec } from '../../src/graph/graph';
import { FOR_EACH_DEFAULT_CONCURRENCY, FOR_EACH_MAX_ITEMS, forEachSpec } from '../../src/graph/nodes/for-each';
import type { Executor, ExecutorContext, NodeResult, NodeType } from './types';
import { describeValue } from './types';
import { withTrace } from '../run-trace';

/** What a forEach node loops over, read from its data once evaluated. */
interface Loop {
  items: unknown[];
  body: unknown;
  maxConcurrency: number;
  /** Percentage of items that may fail; 0: the first failure cancels the rest. */
  tolerated: number;
}

async function readLoop(node: NodeSpec, ctx: ExecutorContext): Promise<Loop> {
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
  return {
    items,
    body: saved ? saved.definition : node.data.body,
    maxConcurrency: typeof node.data.maxConcurrency === 'number' ? node.data.maxConcurrency : FOR_EACH_DEFAULT_CONCURRENCY,
    tolerated: typeof node.data.toleratedFailurePercentage === 'number' ? node.data.toleratedFailurePercentage : 0,
  };
}

/**
 * One forEach loop: its items cut into slices, each slice a batch child
 * workflow, `inFlight` slices at a time, `perBatch` items at a time in each.
 */
class ItemLoop {
  readonly outcomes: (ItemOutcome | undefined)[];
  firstFailure: { index: number; error: NodeError } | undefined;
  failedCount = 0;
  timedOut = false;
  private readonly slices: { offset: number; items: unknown[]; indices?: number[] }[] = [];
  /** Items whose outputs a redrive reused: they do not run. */
  readonly reused: number;
  private readonly inFlight: number;
  private readonly perBatch: number;
  private readonly batches = new CancellationScope();

  constructor(
    private readonly node: NodeSpec,
    private readonly ctx: ExecutorContext,
    private readonly loop: Loop,
  ) {
    const total = loop.items.length;
    this.outcomes = new Array(total);
    const seeded = ctx.reusedItems(node)?.items;
    if (seeded) {
      // A redrive: the items that succeeded keep their outputs; the others run, in slices of the same size.
      const rest: number[] = [];
      for (let i = 0; i < total; i++) {
        if (Object.hasOwn(seeded, String(i))) this.outcomes[i] = { ok: true, output: seeded[String(i)] };
        else rest.push(i);
      }
      for (let k = 0; k < rest.length; k += FOR_EACH.itemsPerBatch) {
        const indices = rest.slice(k, k + FOR_EACH.itemsPerBatch);
        this.slices.push({ offset: indices[0]!, items: indices.map((i) => loop.items[i]), indices });
      }
      this.reused = total - rest.length;
    } else {
      for (let offset = 0; offset < total; offset += FOR_EACH.itemsPerBatch)
        this.slices.push({ offset, items: loop.items.slice(offset, offset + FOR_EACH.itemsPerBatch) });
      this.reused = 0;
    }
    this.inFlight = Math.max(1, Math.min(this.slices.length, FOR_EACH.batchesInFlight, loop.maxConcurrency));
    this.perBatch = Math.max(1, Math.min(FOR_EACH.window, Math.floor(loop.maxConcurrency / this.inFlight)));
  }

  private get failingFast(): boolean {
    return this.loop.tolerated === 0 && this.firstFailure !== undefined;
  }

  /** Runs every slice (stopping early on a failure when none is tolerated, or at the node's timeout). */
  async run(): Promise<void> {
    const timeoutMs = this.node.timeout === undefined ? undefined : durationMs(this.node.timeout);
    const deadline = new CancellationScope();
    if (timeoutMs !== undefined) {
      void deadline
        .run(() => sleep(timeoutMs))
        .then(
          () => {
            this.timedOut = true;
            this.batches.cancel();
          },
          () => undefined,
        );
    }
    try {
      await this.batches.run(async () => {
        let next = 0;
        const worker = async () => {
          while (next < this.slices.length && !this.failingFast) await this.runSlice(next++);
        };
        await Promise.all(Array.from({ length: this.inFlight }, worker));
      });
    } catch (err) {
      if (!isCancellation(err) || (!this.timedOut && !this.firstFailure)) throw err;
    } finally {
      deadline.cancel();
    }
    // The node itself was canceled (failFast elsewhere, the run canceled): so is the loop.
    if (this.batches.consideredCancelled && !this.timedOut && !this.firstFailure) throw new CancelledFailure('forEach canceled');
  }

  private async runSlice(k: number): Promise<void> {
    const { node, ctx } = this;
    const slice = this.slices[k]!;
    const input: ForEachBatchInput = {
      parent: { runId: ctx.run.id, nodeId: node.id },
      batch: k,
      body: this.loop.body,
      ...(Object.keys(ctx.run.library).length > 0 ? { library: { ...ctx.run.library } } : {}),
      ...(ctx.run.nodeTypes.length > 0 ? { nodeTypes: [...ctx.run.nodeTypes] } : {}),
      items: slice.items,
      offset: slice.offset,
      concurrency: this.perBatch,
      failFast: this.loop.tolerated === 0,
      progressEvery: Math.max(1, Math.ceil(slice.items.length / FOR_EACH.reportsPerBatch)),
      ...(ctx.run.claimCheck ? { claimCheck: true } : {}),
      ...(slice.indices ? { indices: slice.indices } : {}),
      ...(ctx.secrets.nonce ? { secretNonce: ctx.secrets.nonce } : {}),
      ...withTrace(ctx.traceOf(node.id)),
    };
    let result: ItemOutcome[];
    try {
      result = await executeChild<(i: ForEachBatchInput) => Promise<ItemOutcome[]>>(FOR_EACH_BATCH_WORKFLOW_TYPE, {
        workflowId: `${childRunId(ctx.run.id, node.id)}/batch-${k}`,
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
      const index = slice.indices ? slice.indices[i]! : slice.offset + i;
      this.outcomes[index] = o;
      if (!o.ok && !o.cancelled) {
        this.failedCount++;
        if (!this.firstFailure) this.firstFailure = { index, error: o.error };
      }
    });
    if (this.failingFast) this.batches.cancel();
  }
}

/** Largest JSON of succeeded items' outputs a failed forEach keeps in its error (`details.items`), for a redrive to reuse. */
export const FOR_EACH_REUSE_BYTES = 256 * 1024;

/** The outputs of the items that succeeded, by index, when they fit FOR_EACH_REUSE_BYTES: a redrive runs only the others. */
function succeededItems(outcomes: readonly (ItemOutcome | undefined)[]): { items?: Record<string, unknown> } {
  const items: Record<string, unknown> = {};
  outcomes.forEach((o, i) => {
    if (o?.ok) items[String(i)] = o.output;
  });
  if (Object.keys(items).length === 0) return {};
  return JSON.stringify(items).length <= FOR_EACH_REUSE_BYTES ? { items } : {};
}

/** The node's result once the loop is over: its output, or the failure that ends it. */
function loopResult(node: NodeSpec, loop: Loop, done: ItemLoop, runMs: number): NodeResult {
  const { outcomes, failedCount, firstFailure } = done;
  const total = loop.items.length;
  // Done: items that ran to an end (canceled ones did not).
  const progress = { done: outcomes.filter((o) => o !== undefined && (o.ok || !o.cancelled)).length, failed: failedCount, total };
  if (done.timedOut) {
    throw new NodeFailure('TimeoutFailure', `forEach did not finish within ${node.timeout} (${progress.done} of ${total} items done)`, {
      progress,
      ...succeededItems(outcomes),
    });
  }
  if (loop.tolerated === 0) {
    if (firstFailure) {
      throw new NodeFailure(FAILURE_TYPES.forEachItemFailed, `item ${firstFailure.index} failed: ${firstFailure.error.message}`, {
        index: firstFailure.index,
        error: firstFailure.error,
        progress,
        ...succeededItems(outcomes),
      });
    }
    return { output: outcomes.map((o) => (o?.ok ? o.output : null)), attempts: 1, runMs, execution: 'workflow', progress };
  }
  const output = outcomes.map((o, index) =>
    o?.ok
      ? { index, status: 'succeeded', output: o.output }
      : { index, status: o?.cancelled ? 'canceled' : 'failed', error: o?.error ?? toNodeError('not run') },
  );
  if ((failedCount / Math.max(1, total)) * 100 > loop.tolerated) {
    throw new NodeFailure(FAILURE_TYPES.forEachItemFailed, `${failedCount} of ${total} items failed, more than the tolerated ${loop.tolerated}%`, {
      failed: failedCount,
      total,
      progress,
      ...succeededItems(outcomes),
    });
  }
  return { output, attempts: 1, runMs, execution: 'workflow', progress };
}

const run: Executor = async (node, ctx) => {
  const loop = await readLoop(node, ctx);
  // Items get the run's secret nonce: draw it once here, not once per item.
  await ctx.secrets.prepare(loop.body);
  const startedMs = Date.now();
  ctx.markProgress(node, { done: 0, failed: 0, total: loop.items.length });
  const items = new ItemLoop(node, ctx, loop);
  await items.run();
  const result = loopResult(node, loop, items, Date.now() - startedMs);
  const reused = ctx.reusedItems(node);
  return reused && items.reused > 0 ? { ...result, reusedItems: { runId: reused.runId, count: items.reused } } : result;
};

export const forEach: NodeType = { ...forEachSpec, run };
