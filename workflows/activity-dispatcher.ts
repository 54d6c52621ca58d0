/**
 * Decides where an activity node runs, within the budgets of `partition.ts`:
 *
 * - `execution: "local"`: a local activity in this worker (no server round trip);
 * - otherwise a remote activity of the run's own workflow while it has fewer
 *   than `inlineActivities` in flight;
 * - otherwise the node waits in a queue, and `flush()` hands queued nodes to
 *   batch child workflows (`nodeBatchWorkflow`), spread evenly over the free
 *   child slots, each of `minBatch` to `childWindow` nodes.
 *
 * A batch reports when all its nodes ended, and is canceled as a whole when
 * any of its nodes is (failFast and run cancellation cancel every running node
 * anyway). Runs recorded before batching and local execution existed replay
 * unchanged: both sit behind `patched()`.
 */
import type { CancellationScope as Scope } from '@temporalio/workflow';
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  executeChild,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities, HttpRequestInput } from '../activities';
import type { Attempted } from '../activities';
import type { NodeSpec } from '../src/graph/graph';
import { BATCH_WORKFLOW_TYPE } from '../src/graph/run-state';
import { localActivityOptions, remoteActivityOptions } from './activity-options';
import { BatchedNodeFailure, toNodeError } from './errors';
import type { NodeResult } from './executors/types';
import type { BatchInput, BatchOutcome } from './node-batch-workflow';
import { PARTITION } from './partition';

export const PATCHES = {
  /** Wide ready sets go to batch children instead of all into the run's workflow. */
  batches: 'braid-activity-batches',
  /** `execution: "local"` runs http nodes as local activities. */
  local: 'braid-local-execution',
  /** Delay nodes share one timer (see timer-wheel.ts). */
  timerWheel: 'braid-timer-wheel',
  /** All nodes of a run share one cancellation scope. */
  sharedNodeScope: 'braid-shared-node-scope',
} as const;

interface Queued {
  node: NodeSpec;
  request: HttpRequestInput;
  scope: Scope;
  resolve: (r: NodeResult) => void;
  reject: (err: unknown) => void;
  batch?: Scope;
}

export interface DispatcherOptions {
  runId: string;
  /** The workflow's root scope: batches live here, not in one node's scope. */
  root: Scope;
  /** Batch children stop their other nodes when a node that fails the run fails. */
  failFast: boolean;
}

export class ActivityDispatcher {
  private inline = 0;
  private children = 0;
  private batchSeq = 0;
  private readonly queue: Queued[] = [];
  private batchesAllowed?: boolean;

  constructor(private readonly opts: DispatcherOptions) {}

  /**
   * Runs an http node's request; call it inside the node's cancellation scope.
   * No `async` here: see executors/http.ts.
   */
  http(node: NodeSpec, request: HttpRequestInput): Promise<NodeResult> {
    if (node.execution === 'local' && patched(PATCHES.local)) {
      return proxyLocalActivities<Activities>(localActivityOptions(node)).http(request).then((r) => toResult(r, 'local'));
    }
    if (this.inline < PARTITION.inlineActivities || !this.batchesEnabled()) return this.runInline(node, request);
    return new Promise<NodeResult>((resolve, reject) => {
      const entry: Queued = { node, request, scope: CancellationScope.current(), resolve, reject };
      this.queue.push(entry);
      entry.scope.cancelRequested.catch((err: unknown) => {
        const at = this.queue.indexOf(entry);
        if (at >= 0) {
          this.queue.splice(at, 1);
          reject(err);
        } else {
          entry.batch?.cancel();
        }
      });
    });
  }

  /** True when queued nodes can go somewhere now. */
  get canFlush(): boolean {
    return this.queue.length > 0 && (this.inline < PARTITION.inlineActivities || this.children < PARTITION.children);
  }

  /** Moves queued nodes to free inline slots, then to new batches on free child slots. */
  flush(): void {
    while (this.queue.length > 0 && this.inline < PARTITION.inlineActivities) {
      const q = this.queue.shift()!;
      q.scope.run(() => this.runInline(q.node, q.request)).then(q.resolve, q.reject);
    }
    while (this.queue.length > 0 && this.children < PARTITION.children) {
      const free = PARTITION.children - this.children;
      const size = Math.min(PARTITION.childWindow, Math.max(PARTITION.minBatch, Math.ceil(this.queue.length / free)));
      this.startBatch(this.queue.splice(0, size));
    }
  }

  private batchesEnabled(): boolean {
    this.batchesAllowed ??= patched(PATCHES.batches);
    return this.batchesAllowed;
  }

  private runInline(node: NodeSpec, request: HttpRequestInput): Promise<NodeResult> {
    this.inline++;
    return proxyActivities<Activities>(remoteActivityOptions(node))
      .http(request)
      .then(
        (r) => {
          this.inline--;
          return toResult(r, 'activity');
        },
        (err: unknown) => {
          this.inline--;
          throw err;
        },
      );
  }

  private startBatch(entries: Queued[]): void {
    const seq = ++this.batchSeq;
    this.children++;
    const scope = new CancellationScope({ cancellable: true, parent: this.opts.root });
    for (const e of entries) e.batch = scope;
    const input: BatchInput = {
      calls: entries.map((e) => ({
        nodeId: e.node.id,
        options: remoteActivityOptions(e.node),
        request: e.request,
        failsRun: e.node.onError === 'fail',
      })),
      window: PARTITION.childWindow,
      failFast: this.opts.failFast,
    };
    const ids = entries.map((e) => e.node.id);
    scope
      .run(() =>
        executeChild<(input: BatchInput) => Promise<BatchOutcome[]>>(BATCH_WORKFLOW_TYPE, {
          workflowId: `${this.opts.runId}/batch-${seq}`,
          args: [input],
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          staticSummary: `Braid batch ${seq} of run ${this.opts.runId}: ${ids.length} node(s) ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`,
          memo: { parentRunId: this.opts.runId, nodes: ids },
        }),
      )
      .then(
        (outcomes) => {
          entries.forEach((e, i) => {
            const o = outcomes[i];
            if (o?.ok) e.resolve(toResult(o.result, 'activity'));
            else if (o) e.reject(new BatchedNodeFailure(o.error, o.cancelled));
            else e.reject(new BatchedNodeFailure({ type: 'BatchError', message: 'the batch returned no outcome for this node' }, false));
          });
        },
        (err: unknown) => {
          const error = toNodeError(err);
          for (const e of entries) e.reject(new BatchedNodeFailure(error, error.type === 'CancelledFailure'));
        },
      )
      .finally(() => {
        this.children--;
      });
  }
}

function toResult(r: Attempted<unknown>, execution: 'activity' | 'local'): NodeResult {
  return { output: r.output, attempts: r.attempt, queuedMs: r.queuedMs, runMs: r.runMs, execution };
}
