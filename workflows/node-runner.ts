/**
 * Runs a graph's nodes for the interpreter's loop: starts every node the
 * scheduler says is ready (through its type's executor, activity nodes
 * through the dispatcher), collects the ends of those that ended, records
 * each end (src/graph/node-end.ts decides what it means), and stops what
 * runs when the run fails fast, is canceled or nears its history limit.
 */
import { CancellationScope, isCancellation, log, patched, sleep, workflowInfo } from '@temporalio/workflow';
import { ExpressionCache, ExpressionError, evaluateTemplate, evaluateTemplateFast, NOT_FAST } from '../src/graph/expressions';
import { FAILURE_TYPES } from '../src/graph/failures';
import type { Graph, NodeSpec } from '../src/graph/graph';
import type { ForEachProgressTotals } from '../src/graph/for-each-progress';
import type { NodeEnd } from '../src/graph/node-end';
import { endNode } from '../src/graph/node-end';
import type { NodeBinding, NodeResult } from '../src/graph/node-result';
import type { GraphWorkflowInput, NodeError, Seeds } from '../src/graph/run-state';
import { HISTORY_LIMITS, isoTime, webhookInput } from '../src/graph/run-state';
import type { RunTracker } from '../src/graph/run-tracker';
import type { Scheduler } from '../src/graph/scheduler';
import { SecretScopes } from './secret-scope';
import { ActivityDispatcher } from './activity-dispatcher';
import { BatchedNodeFailure, NodeFailure, nodeFailureToError, toNodeError } from './errors';
import type { ExecutorContext, NodeTypes } from './nodes';
import type { Mailbox } from './mailbox';
import { TimerWheel } from './timer-wheel';
import { cachedRun } from './node-cache';
import { PATCHES } from './patches';
import type { RunTrace } from './run-trace';

/** The patch id behind which partitioning, local execution, the shared timer and the shared node scope sit. */
export const SCALE_PATCH = PATCHES.scale.id;
/**
 * A run whose history nears Temporal's limits fails itself with a clear error
 * instead of being terminated by the server. Behind a patch asked only when a
 * limit is crossed: runs that never get there record nothing new, and a run
 * from before the guard replays as it ran.
 */
export const HISTORY_GUARD_PATCH = PATCHES.historyGuard.id;
/**
 * Simple expressions evaluated without promises (src/graph/fast-expression.ts).
 * Same results, but an http node with an expression now queues its request
 * before nodes launched after it, not after them: the order of commands
 * changes, so runs recorded before it replay with JSONata alone.
 */
export const FAST_EXPRESSIONS_PATCH = PATCHES.fastExpressions.id;
/**
 * Seeded nodes (src/graph/seeds.ts: a redrive's reused outputs, a test run's
 * pins) succeed at once without running. Asked only by a run that has seeds.
 */
export const SEEDS_PATCH = PATCHES.seeds.id;
/** A node with `cache` looks its output up first (workflows/node-cache.ts). Asked only when such a node runs. */
export const CACHE_PATCH = PATCHES.cache.id;

export interface NodeRunnerOptions {
  args: GraphWorkflowInput;
  runId: string;
  graph: Graph;
  /** The run's node types: built-in and custom. */
  types: NodeTypes;
  scheduler: Scheduler;
  tracker: RunTracker;
  mailbox: Mailbox;
  progress: ForEachProgressTotals;
  /** A forEach item: its share of the batch's budget, and the batch's compiled expressions. */
  host?: { share: number; expressions: ExpressionCache };
  /** The run's spans (a traced run's; run-trace.ts). */
  trace: RunTrace;
}

export class NodeRunner {
  /** Each node's own time (runMs) by node index, for the run's workMs (its critical path). */
  readonly runMs: (number | undefined)[];
  /** Nodes that failed the run, in the order they failed. */
  readonly failures: { nodeId: string; error: NodeError; endsRun?: boolean }[] = [];
  /** Set once the history guard stopped the run: why. */
  historyLimit: string | undefined;

  private readonly startedAt: number[];
  private readonly bindings: Record<string, NodeBinding> = Object.create(null);
  private readonly ended: { node: NodeSpec; end: NodeEnd }[] = [];
  /** Unscaled runs (recorded before SCALE_PATCH): a cancellation scope per node. */
  private readonly scopes = new Map<number, CancellationScope>();
  /** Scaled runs: one scope for every node; failFast and cancellation cancel it at once (a scope per node costs promises). */
  private readonly nodesScope: CancellationScope | undefined;
  /** Nodes the run asked to stop: however they end short of success, they were canceled. */
  private readonly stopRequested = new Set<number>();
  private readonly dispatcher: ActivityDispatcher;
  private readonly ctx: ExecutorContext;
  /** Outputs known at start, by node id (none: every node runs). */
  private readonly seeds: Seeds | undefined;
  private readonly opts: NodeRunnerOptions;

  constructor(opts: NodeRunnerOptions) {
    this.opts = opts;
    const { args, graph, runId, host } = opts;
    this.runMs = graph.nodes.map(() => undefined);
    this.startedAt = graph.nodes.map(() => 0);
    // Partitioned activities, local execution, the shared delay timer and the
    // shared node scope change what a run records; runs recorded before them
    // replay with the old behaviour.
    const scaled = patched(SCALE_PATCH);
    const root = CancellationScope.current();
    this.nodesScope = scaled ? new CancellationScope() : undefined;
    this.dispatcher = new ActivityDispatcher({
      runId,
      root,
      nodes: this.nodesScope,
      failFast: graph.settings.onError === 'failFast',
      claimCheck: args.claimCheck === true,
      partitioned: scaled,
      ...(host ? { share: host.share, activityIdPrefix: `${runId.slice(runId.lastIndexOf('/') + 1)}/` } : {}),
    });
    const wheel = scaled ? new TimerWheel(root) : undefined;
    this.ctx = this.executorContext(wheel, host?.expressions ?? new ExpressionCache(), patched(FAST_EXPRESSIONS_PATCH));
    this.seeds = args.seeds && Object.keys(args.seeds).length > 0 && patched(SEEDS_PATCH) ? args.seeds : undefined;
  }

  private executorContext(wheel: TimerWheel | undefined, expressions: ExpressionCache, fastExpressions: boolean): ExecutorContext {
    const { args, graph, scheduler, tracker, mailbox, progress, runId } = this.opts;
    const { state } = tracker;
    const secrets = new SecretScopes(args.definition, args.secretNonce);
    const input = args.request ? webhookInput(args.input, args.request) : (args.input ?? null);
    const item = args.item ? { item: args.item.value, index: args.item.index } : {};
    const nodes = this.bindings;
    return {
      graph,
      scheduler,
      input,
      nodesView: nodes,
      dispatcher: this.dispatcher,
      // Simple expressions are evaluated without promises (each costs a stack capture in the sandbox).
      evaluate(value, field) {
        // A run that names a secret draws its nonce before its first evaluation.
        const drawing = secrets.prepare();
        if (drawing) return drawing.then(() => this.evaluate(value, field));
        const bindings = { ...item, input, nodes, run: { id: runId, startedAt: state.startedAt }, secrets: secrets.binding };
        const fast = fastExpressions ? evaluateTemplateFast(value, bindings, expressions) : NOT_FAST;
        if (fast !== NOT_FAST) return Promise.resolve(fast);
        return evaluateTemplate(value, bindings, expressions).catch((err: unknown) => {
          if (err instanceof ExpressionError) throw new NodeFailure(FAILURE_TYPES.expression, `${field}: ${err.message}`, { code: err.code });
          throw err;
        });
      },
      secrets,
      sleep: (ms) => (wheel ? wheel.wait(ms) : sleep(ms)),
      mailbox,
      markProgress(node, p) {
        progress.start(node.id, p.total);
        tracker.setNode(node.id, { ...state.nodes[node.id]!, progress: p });
      },
      reusedItems: (node) => {
        const seed = this.seeds?.[node.id];
        return seed?.items && typeof seed.from === 'object' ? { items: seed.items, runId: seed.from.runId } : undefined;
      },
      markWaiting(node, waiting) {
        tracker.setNode(node.id, { ...state.nodes[node.id]!, status: 'waiting', waiting: { ...waiting, since: isoTime(Date.now()) } });
        nodes[node.id] = { status: 'waiting' };
      },
      traceOf: (nodeId) => this.opts.trace.contextOf(nodeId),
      run: {
        id: runId,
        startedAt: state.startedAt,
        taskQueue: workflowInfo().taskQueue,
        library: args.library ?? {},
        nodeTypes: args.nodeTypes ?? [],
        claimCheck: args.claimCheck === true,
      },
    };
  }

  /** Whether the loop has something to do: an end to record, or activities to send. */
  get hasWork(): boolean {
    return this.ended.length > 0 || this.dispatcher.canFlush;
  }

  /** Starts every node the scheduler says is ready, in this workflow task. */
  launchReady(): void {
    const ready = this.opts.scheduler.next();
    if (ready.length === 0) return;
    this.dispatcher.plan(ready.filter((n) => n.activitySlot && n.execution !== 'local').length);
    if (this.nodesScope) void this.nodesScope.run(async () => ready.forEach((n) => this.launch(n)));
    else ready.forEach((n) => this.launch(n));
  }

  private launch(node: NodeSpec): void {
    const now = Date.now();
    this.startedAt[node.index] = now;
    const seed = this.seeds?.[node.id];
    // A partial seed (a forEach's items) runs the node: its executor skips those items.
    if (seed && !seed.items) {
      // Known already: it ends now, as the node would have, without running.
      const result: NodeResult = {
        output: seed.output,
        attempts: 0,
        runMs: 0,
        execution: 'workflow',
        from: seed.from,
        ...(seed.handle === undefined ? {} : { handle: seed.handle }),
      };
      this.ended.push({ node, end: { result } });
      return;
    }
    this.opts.tracker.setNode(node.id, { status: 'running', attempts: 0, startedAt: isoTime(now) });
    if (node.activitySlot) this.opts.tracker.countActivity();
    const onResult = (result: NodeResult) => this.ended.push({ node, end: { result } });
    const onError = (err: unknown) => this.ended.push({ node, end: endOfError(err) });
    if (this.nodesScope) {
      this.execute(node).then(onResult, onError);
      return;
    }
    const scope = new CancellationScope();
    this.scopes.set(node.index, scope);
    scope.run(() => this.execute(node)).then(onResult, onError);
  }

  private execute(node: NodeSpec): Promise<NodeResult> {
    try {
      const run = () => this.opts.types.get(node.type)!.run(node, this.ctx);
      return node.cache && patched(CACHE_PATCH) ? cachedRun(node, this.ctx, run) : run();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Sends queued activities, then records every node that ended since the last call. */
  recordEnded(): void {
    this.dispatcher.flush();
    for (const { node, end } of this.ended.splice(0)) this.record(node, end);
  }

  private record(node: NodeSpec, end: NodeEnd): void {
    const { graph, scheduler, tracker } = this.opts;
    this.scopes.delete(node.index);
    const now = Date.now();
    const tookMs = now - this.startedAt[node.index]!;
    const ended = endNode(node, end, this.startedAt[node.index]!, now, this.stopRequested.has(node.index));
    this.runMs[node.index] = ended.workMs;
    tracker.setNode(node.id, ended.state);
    this.opts.trace.nodeEnded(node, ended.state, this.startedAt[node.index]!, now);
    this.bindings[node.id] = ended.binding;
    if (ended.state.status === 'succeeded') log.info(`Node ${node.id} succeeded in ${tookMs} ms`);
    else if (ended.state.status === 'canceled') log.info(`Node ${node.id} canceled after ${tookMs} ms`);
    else log.warn(`Node ${node.id} failed in ${tookMs} ms: ${ended.state.error!.message}`, { type: ended.state.error!.type });
    if (ended.failsRun) {
      this.failures.push({ nodeId: node.id, error: ended.state.error!, ...(node.endsRun ? { endsRun: true } : {}) });
      // A `fail` node ends the run whatever settings.onError says (no run recorded before it had one).
      if (graph.settings.onError === 'failFast' || node.endsRun) this.stopAll();
    }
    scheduler.complete(node.index, ended.outcome);
    const taken = graph.outgoing[node.index]!.filter((e) => scheduler.isTaken(e)).length;
    log.debug(`Node ${node.id} has ${graph.outgoing[node.index]!.length} outgoing edge(s)`);
    if (taken > 1) log.info(`Executing ${taken} parallel branches from node ${node.id}`);
  }

  /** Cancels every running node and marks the pending ones canceled (fail-fast, cancellation, the history guard). */
  stopAll(): void {
    const { graph, scheduler, tracker } = this.opts;
    const running = scheduler.stop();
    for (const i of running) this.stopRequested.add(i);
    if (this.nodesScope) {
      if (running.length > 0) this.nodesScope.cancel();
    } else for (const i of running) this.scopes.get(i)?.cancel();
    for (const n of graph.nodes) {
      if (scheduler.statusOf(n.index) === 'canceled' && tracker.state.nodes[n.id]!.status === 'pending') {
        tracker.setNode(n.id, { status: 'canceled', attempts: 0 });
      }
    }
  }

  /** Records the nodes the scheduler has decided to skip. */
  recordSkipped(): void {
    for (const n of this.opts.scheduler.takeSkipped()) {
      this.opts.tracker.setNode(n.id, { status: 'skipped', attempts: 0 });
      this.bindings[n.id] = { status: 'skipped' };
    }
  }

  /** Stops the run, once, when its history nears Temporal's limits. */
  guardHistory(): void {
    if (this.historyLimit !== undefined) return;
    const limits = this.opts.args.historyLimits ?? HISTORY_LIMITS;
    const { historyLength, historySize } = workflowInfo();
    if (historyLength < limits.events && historySize < limits.bytes) return;
    if (!patched(HISTORY_GUARD_PATCH)) return;
    this.historyLimit =
      `run history reached ${historyLength} events / ${(historySize / 2 ** 20).toFixed(1)} MB, past Braid's limit of ${limits.events} events / ` +
      `${Math.round(limits.bytes / 2 ** 20)} MB below Temporal's own; split the graph (subworkflow, forEach) or keep large outputs out of history (PAYLOAD_STORE)`;
    log.warn(this.historyLimit);
    this.stopAll();
  }
}

/** A node's failure as the run records it (a batch child reports its nodes' errors already shaped). */
function endOfError(err: unknown): NodeEnd {
  if (err instanceof BatchedNodeFailure) return { error: err.error, cancelled: err.cancelled };
  return { error: err instanceof NodeFailure ? nodeFailureToError(err) : toNodeError(err), cancelled: isCancellation(err) };
}
