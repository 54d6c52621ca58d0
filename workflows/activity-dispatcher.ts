/**
 * Decides where an activity node runs, within the budgets of `partition.ts`:
 *
 * - `execution: "local"`: a local activity in this worker (no server round trip);
 * - otherwise the node is queued, and `flush()` (at the end of the workflow
 *   task's work) places the queue: remote activities of the run's own
 *   workflow while slots are free, and past that batch child workflows
 *   (`nodeBatchWorkflow`) of up to `childWindow` nodes each.
 *
 * A batch reports when all its nodes ended, and is canceled as a whole when
 * any of its nodes is (failFast and run cancellation cancel every running node
 * anyway). Runs recorded before partitioning replay unchanged (`partitioned`).
 */
import type { CancellationScope as Scope } from '@temporalio/workflow';
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  executeChild,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, HttpRequestInput } from '../activities';
import type { Attempted } from '../activities';
import type { NodeSpec } from '../src/graph/graph';
import { BATCH_WORKFLOW_TYPE } from '../src/graph/run-state';
import { foreignActivityOptions, localActivityOptions, remoteActivityOptions } from './activity-options';
import { BatchedNodeFailure, toNodeError } from './errors';
import type { NodeResult } from '../src/graph/node-result';
import type { BatchInput, BatchOutcome } from './node-batch-workflow';
import { LOCAL_BUDGET, localFits, PARTITION, placeQueue } from './partition';
import { tryActivityId, untilSent } from './until-sent';

interface Queued {
  node: NodeSpec;
  request: HttpRequestInput;
  resolve: (r: NodeResult) => void;
  reject: (err: unknown) => void;
}

export interface DispatcherOptions {
  runId: string;
  /** The workflow's root scope: batches live here. */
  root: Scope;
  /**
   * The scope every node runs in (partitioned runs share one): canceling it
   * rejects what still waits in the queue and cancels every batch.
   */
  nodes?: Scope;
  /** Batch children stop their other nodes when a node that fails the run fails. */
  failFast: boolean;
  /** The run's payloads are claim-checked (batch children then return every output whole). */
  claimCheck?: boolean;
  /**
   * False for runs recorded before partitioning (the interpreter's
   * `patched()` said so): every activity runs in the run's own history at once, as then.
   */
  partitioned: boolean;
  /**
   * The share of the workflow's budget this dispatcher may use (default 1).
   * A forEach batch runs many item graphs in one workflow, each with a
   * dispatcher of its own: each gets 1/window of the slots, children and
   * local bytes, so together they stay within the workflow's budget.
   */
  share?: number;
  /**
   * Prefix of activity ids (default none: an activity's id is its node id).
   * Graphs that share a workflow (forEach items) need ids of their own.
   */
  activityIdPrefix?: string;
}

export class ActivityDispatcher {
  private own = 0;
  private children = 0;
  private batchSeq = 0;
  private readonly queue: Queued[] = [];
  /** `activity` nodes waiting for a slot. */
  private readonly waitingCalls: { start: () => Promise<NodeResult>; resolve: (r: NodeResult) => void; reject: (err: unknown) => void }[] = [];
  private readonly batches = new Set<Scope>();
  private direct = false;
  /** Local activities: see LOCAL_BUDGET. */
  private readonly localQueue: Queued[] = [];
  private localInFlight = 0;
  private localBytes = 0;
  /** Largest local result seen so far (0: none yet). */
  private localLargest = 0;
  private localTask = -1;
  private localBoundary = false;

  /** This dispatcher's part of PARTITION and LOCAL_BUDGET (see `share`). */
  private readonly slots: number;
  private readonly maxChildren: number;
  private readonly localTaskBytes: number;

  constructor(private readonly opts: DispatcherOptions) {
    const share = opts.share ?? 1;
    this.slots = Math.max(1, Math.floor(PARTITION.slots * share));
    this.maxChildren = Math.max(1, Math.floor(PARTITION.children * share));
    this.localTaskBytes = Math.max(LOCAL_BUDGET.localMaxResponseBytes, Math.floor(LOCAL_BUDGET.localTaskBytes * share));
    // One handler for all: a promise per queued node would cost a stack-trace capture each.
    opts.nodes?.cancelRequested.catch((err: unknown) => {
      for (const q of this.queue.splice(0)) q.reject(err);
      for (const q of this.localQueue.splice(0)) q.reject(err);
      for (const w of this.waitingCalls.splice(0)) w.reject(err);
      for (const b of this.batches) b.cancel();
    });
  }

  /**
   * Runs an http node's request; call it inside the node's cancellation scope.
   * No `async` here: see nodes/http.ts.
   */
  http(node: NodeSpec, request: HttpRequestInput): Promise<NodeResult> {
    if (!this.opts.partitioned) return this.runOwn(node, request);
    if (node.execution === 'local') {
      return new Promise<NodeResult>((resolve, reject) => {
        this.localQueue.push({ node, request: { ...request, maxResponseBytes: LOCAL_BUDGET.localMaxResponseBytes }, resolve, reject });
        this.pumpLocal();
      });
    }
    if (this.direct) return this.runOwn(node, request);
    return new Promise<NodeResult>((resolve, reject) => {
      this.queue.push({ node, request, resolve, reject });
    });
  }

  /**
   * Called before the interpreter starts `remote` activity nodes: when they
   * all fit in the free slots and nothing waits, they go straight to
   * activities (no queue) until the next `flush()`. The common case, a
   * chain or a narrow fan-out, then costs no more than a hand-written
   * workflow's `await`.
   */
  plan(remote: number): void {
    this.direct = this.opts.partitioned && this.queue.length === 0 && this.own + this.children + remote <= this.slots;
  }

  /**
   * Calls an activity of any type on any task queue (the `activity` node), or
   * a custom node type's activity (`braid`: it heartbeats, so cancellation waits for it).
   * It takes one of the run's slots like an http node; when none is free it
   * waits for the next `flush()`.
   */
  call(node: NodeSpec, activityType: string, taskQueue: string, args: unknown[], owner: 'foreign' | 'braid' = 'foreign'): Promise<NodeResult> {
    const start = () => {
      this.own++;
      const startedMs = Date.now();
      const options = this.withId(node, owner === 'braid' ? remoteActivityOptions(node) : foreignActivityOptions(node));
      const activities = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>({ ...options, taskQueue });
      return activities[activityType]!(...args).then(
        (output): NodeResult => {
          this.own--;
          return { output, attempts: 1, runMs: Date.now() - startedMs, execution: 'activity' };
        },
        (err: unknown) => {
          this.own--;
          throw err;
        },
      );
    };
    if (!this.opts.partitioned || this.own + this.children < this.slots) return start();
    return new Promise<NodeResult>((resolve, reject) => this.waitingCalls.push({ start, resolve, reject }));
  }

  /** True when queued nodes can go somewhere now. */
  get canFlush(): boolean {
    return (this.queue.length > 0 || this.waitingCalls.length > 0) && this.own + this.children < this.slots;
  }

  /** Starts calls waiting for a slot, then places queued nodes within the budget (`placeQueue`). */
  flush(): void {
    this.direct = false;
    while (this.waitingCalls.length > 0 && this.own + this.children < this.slots) {
      const w = this.waitingCalls.shift()!;
      w.start().then(w.resolve, w.reject);
    }
    const place = placeQueue(this.queue.length, { own: this.own, children: this.children, slots: this.slots, maxChildren: this.maxChildren });
    const own = this.queue.splice(0, place.own);
    if (own.length > 0) {
      const start = async () => {
        for (const q of own) this.runOwn(q.node, q.request).then(q.resolve, q.reject);
      };
      void (this.opts.nodes ? this.opts.nodes.run(start) : start());
    }
    for (const size of place.batches) this.startBatch(this.queue.splice(0, size));
  }

  /** Starts queued local nodes while their results fit this workflow task's byte budget. */
  private pumpLocal(): void {
    const task = workflowInfo().historyLength;
    if (task !== this.localTask) {
      // A new workflow task: what earlier tasks recorded is committed.
      this.localTask = task;
      this.localBytes = 0;
    }
    while (this.localQueue.length > 0 && localFits(this.localBytes, this.localInFlight, this.localLargest, this.localTaskBytes)) {
      const q = this.localQueue.shift()!;
      this.localInFlight++;
      untilSent(() => proxyLocalActivities<Activities>(localActivityOptions(q.node)).http(q.request))
        .then(
          (r) => {
            const size = JSON.stringify(r).length;
            this.localBytes += size;
            this.localLargest = Math.max(this.localLargest, size);
            this.localInFlight--;
            q.resolve(toResult(r, 'local'));
          },
          (err: unknown) => {
            this.localInFlight--;
            q.reject(err);
          },
        )
        .finally(() => this.pumpLocal());
    }
    if (this.localQueue.length > 0 && this.localInFlight === 0 && !this.localBoundary) {
      // Nothing fits in this task any more: end it, go on in the next.
      this.localBoundary = true;
      const scope = new CancellationScope({ cancellable: true, parent: this.opts.root });
      scope
        .run(() => sleep(1))
        .then(
          () => {
            this.localBoundary = false;
            this.pumpLocal();
          },
          (err: unknown) => {
            this.localBoundary = false;
            for (const q of this.localQueue.splice(0)) q.reject(err);
          },
        );
    }
  }

  private withId<T extends { activityId?: string }>(node: NodeSpec, options: T): T {
    return this.opts.activityIdPrefix ? { ...options, activityId: `${this.opts.activityIdPrefix}${node.id}` } : options;
  }

  private runOwn(node: NodeSpec, request: HttpRequestInput): Promise<NodeResult> {
    this.own++;
    const options = this.withId(node, remoteActivityOptions(node));
    return untilSent((n) => proxyActivities<Activities>({ ...options, activityId: tryActivityId(options.activityId, n) }).http(request)).then(
      (r) => {
        this.own--;
        return toResult(r, 'activity');
      },
      (err: unknown) => {
        this.own--;
        throw err;
      },
    );
  }

  private startBatch(entries: Queued[]): void {
    const seq = ++this.batchSeq;
    this.children++;
    const scope = new CancellationScope({ cancellable: true, parent: this.opts.root });
    this.batches.add(scope);
    const input: BatchInput = {
      calls: entries.map((e) => ({
        nodeId: e.node.id,
        options: remoteActivityOptions(e.node),
        request: e.request,
        failsRun: e.node.onError === 'fail',
      })),
      window: PARTITION.childWindow,
      failFast: this.opts.failFast,
      ...(this.opts.claimCheck ? { claimCheck: true } : {}),
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
        this.batches.delete(scope);
      });
  }
}

function toResult(r: Attempted<unknown>, execution: 'activity' | 'local'): NodeResult {
  return { output: r.output, attempts: r.attempt, queuedMs: r.queuedMs, runMs: r.runMs, execution, ...(r.retries?.length ? { retries: r.retries } : {}) };
}
