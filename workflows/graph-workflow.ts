/**
 * The interpreter: one generic workflow that runs any valid graph.
 *
 * It asks the pure scheduler (`src/graph/scheduler.ts`) which nodes may start,
 * starts all of them in the same workflow task through the executor of their
 * type (`executors/`), and waits for the next node to end. Activity nodes go
 * through the dispatcher, which keeps what this workflow has in flight within
 * Temporal's limits (`partition.ts`). Decisions live in `src/graph`; this file
 * only does Temporal things: schedule, cancel, wait, answer queries.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { criticalPath } from '../src/graph/critical-path';
import { ExpressionCache, ExpressionError, evaluateTemplate } from '../src/graph/expressions';
import { FAILURE_TYPES } from '../src/graph/failures';
import type { Graph, NodeSpec } from '../src/graph/graph';
import { setOwnProperty } from '../src/graph/own-property';
import type { DecisionInput, EventInput, ForEachProgressInput, GraphWorkflowInput, NodeError, NodeState, RunChanges, RunState } from '../src/graph/run-state';
import {
  CHANGES_QUERY,
  DECISION_REFUSALS,
  DECISION_UPDATE,
  EVENT_SIGNAL,
  HISTORY_LIMITS,
  FOR_EACH_PROGRESS_SIGNAL,
  runTiming,
  STATE_QUERY,
  webhookInput,
} from '../src/graph/run-state';
import { RunTracker } from '../src/graph/run-tracker';
import type { NodeOutcome } from '../src/graph/scheduler';
import { Scheduler } from '../src/graph/scheduler';
import type { NodeType } from '../src/graph/schema';
import { ACTIVITY_NODE_TYPES } from '../src/graph/schema';
import { secretsBinding } from '../src/graph/secrets';
import type { ValidationResult } from '../src/graph/validate';
import { checkedNodeTypes, formatPath, validateDefinition } from '../src/graph/validate';
import { ActivityDispatcher } from './activity-dispatcher';
import { BatchedNodeFailure, NodeFailure, nodeFailureToError, toNodeError } from './errors';
import type { ExecutorContext, NodeResult, NodeView } from './executors';
import { customNode, EXECUTORS } from './executors';
import { Mailbox } from './mailbox';
import { TimerWheel } from './timer-wheel';

export { ACTIVITY_DEFAULTS } from './activity-options';

export const stateQuery = defineQuery<RunState>(STATE_QUERY);
/** An approval node's decision; refused (not recorded) unless that node is waiting. Answers with the node's new state. */
export const decisionUpdate = defineUpdate<NodeState, [DecisionInput]>(DECISION_UPDATE);
/** An external event for `wait` nodes. */
export const eventSignal = defineSignal<[EventInput]>(EVENT_SIGNAL);
/** A forEach batch's progress. */
export const forEachProgressSignal = defineSignal<[ForEachProgressInput]>(FOR_EACH_PROGRESS_SIGNAL);
/** The patch id behind which partitioning, local execution, the shared timer and the shared node scope sit. */
export const SCALE_PATCH = 'braid-scale-v1';
/**
 * A run whose history nears Temporal's limits fails itself with a clear error
 * instead of being terminated by the server. Behind a patch asked only when a
 * limit is crossed: runs that never get there record nothing new, and a run
 * from before the guard replays as it ran.
 */
export const HISTORY_GUARD_PATCH = 'braid-history-guard-v1';
/** The run with only the nodes that changed after the given version (see RunTracker). */
export const changesQuery = defineQuery<RunChanges, [number]>(CHANGES_QUERY);

type Settled = { node: NodeSpec; result: NodeResult } | { node: NodeSpec; error: NodeError; cancelled: boolean };

const iso = (ms: number) => new Date(ms).toISOString();

export async function graphWorkflow(args: GraphWorkflowInput): Promise<RunState> {
  return runGraph(args);
}

/**
 * Where a graph runs when it is not a workflow of its own: a forEach batch
 * runs each item's graph inside its own workflow (for-each-batch-workflow.ts).
 */
export interface GraphHost {
  /** The item's id, for its state and its activities' children. */
  runId: string;
  /** Its share of the workflow's activity budget (see ActivityDispatcher). */
  share: number;
  /** The body's validation, done once for all items. */
  validation: ValidationResult;
  /** Compiled expressions, shared by all items. */
  expressions: ExpressionCache;
}

/**
 * Runs a graph to its end: the workflow's own graph (no host), or one
 * forEach item inside its batch (a host: no queries, updates or signals of
 * its own, and a share of the batch's budget).
 */
export async function runGraph(args: GraphWorkflowInput, host?: GraphHost): Promise<RunState> {
  const info = workflowInfo();
  const runId = host?.runId ?? info.workflowId;
  const startedMs = Date.now();
  const validation = host?.validation ?? validateDefinition(args.definition, checkedNodeTypes(args.nodeTypes));
  if (!validation.ok) {
    throw ApplicationFailure.nonRetryable(
      `invalid workflow definition (${validation.issues.length} problem(s))`,
      FAILURE_TYPES.invalidDefinition,
      validation.issues,
    );
  }
  const graph = validation.graph;
  let scheduler: Scheduler;
  try {
    scheduler = new Scheduler(graph, { trigger: args.trigger });
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, FAILURE_TYPES.invalidDefinition, [
      { code: 'unknown_trigger', path: formatPath(['trigger']), message: (err as Error).message },
    ]);
  }

  const tracker = new RunTracker({
    runId,
    name: graph.name,
    ...(graph.version === undefined ? {} : { version: graph.version }),
    status: 'running',
    startedAt: iso(startedMs),
    input: args.input ?? null,
    nodes: Object.fromEntries(graph.nodes.map((n) => [n.id, { status: 'pending', attempts: 0 }])),
    metrics: { wallMs: 0, workMs: 0, overheadMs: 0, efficiency: 0, criticalPathMs: 0, activityCount: 0 },
  });
  const state = tracker.state;
  const liveWallMs = () => {
    if (state.status === 'running') state.metrics.wallMs = Date.now() - startedMs;
  };
  const handlers = !host;
  if (handlers) {
    setHandler(stateQuery, () => {
      liveWallMs();
      return state;
    });
    setHandler(changesQuery, (since: number) => {
      liveWallMs();
      return tracker.changes(since);
    });
  }

  // forEach batches report progress: per node, per batch, the latest counts.
  const progressTotals = new Map<string, { total: number; batches: Map<number, { done: number; failed: number }> }>();
  if (handlers) setHandler(forEachProgressSignal, (p: ForEachProgressInput) => {
    const entry = progressTotals.get(p.nodeId);
    if (!entry || state.nodes[p.nodeId]?.status !== 'running') return;
    entry.batches.set(p.batch, { done: p.done, failed: p.failed });
    let done = 0;
    let failed = 0;
    for (const b of entry.batches.values()) {
      done += b.done;
      failed += b.failed;
    }
    tracker.setNode(p.nodeId, { ...state.nodes[p.nodeId]!, progress: { done, failed, total: entry.total } });
  });

  // Decisions and events from outside; handlers record nothing until a node takes them.
  const mailbox = new Mailbox();
  if (handlers) setHandler(eventSignal, (e: EventInput) => mailbox.deliverEvent(e.name, e.payload));
  if (handlers) setHandler(
    decisionUpdate,
    async (d: DecisionInput) => {
      mailbox.decide(d.nodeId, {
        approved: d.approved,
        ...(d.comment === undefined ? {} : { comment: d.comment }),
        ...(d.by === undefined ? {} : { by: d.by }),
        decidedAt: iso(Date.now()),
      });
      await condition(() => state.nodes[d.nodeId]!.status !== 'waiting');
      return state.nodes[d.nodeId]!;
    },
    {
      validator: (d: DecisionInput) => {
        const index = graph.indexById.get(d?.nodeId);
        if (index === undefined || graph.nodes[index]!.type !== 'approval') {
          throw ApplicationFailure.nonRetryable(`this run has no approval node "${String(d?.nodeId)}"`, DECISION_REFUSALS.unknownNode);
        }
        const status = state.nodes[d.nodeId]!.status;
        if (status !== 'waiting' || mailbox.hasDecision(d.nodeId)) {
          throw ApplicationFailure.nonRetryable(
            `node "${d.nodeId}" is not waiting for a decision (it is ${mailbox.hasDecision(d.nodeId) ? 'decided' : status})`,
            DECISION_REFUSALS.notWaiting,
          );
        }
        if (typeof d.approved !== 'boolean') throw ApplicationFailure.nonRetryable('approved must be a boolean', FAILURE_TYPES.invalidNodeData);
      },
    },
  );

  /** Each node's own work (runMs), for the run's workMs. */
  const work: (number | undefined)[] = graph.nodes.map(() => undefined);
  const startedAt: number[] = graph.nodes.map(() => 0);
  const nodesView: Record<string, NodeView> = Object.create(null);
  const expressions = host?.expressions ?? new ExpressionCache();
  const secrets = secretsBinding(args.definition);
  const input = args.request ? webhookInput(args.input, args.request) : (args.input ?? null);
  const itemBindings = args.item ? { item: args.item.value, index: args.item.index } : {};
  const bindings = () => ({
    ...itemBindings,
    input,
    nodes: nodesView,
    run: { id: runId, startedAt: state.startedAt },
    secrets,
  });

  /**
   * Partitioned activities, local execution, the shared delay timer and the
   * shared node scope change what a run records; runs recorded before them
   * replay with the old behaviour.
   */
  const scaled = patched(SCALE_PATCH);
  const root = CancellationScope.current();
  /**
   * Scaled runs share one cancellation scope for all nodes (failFast and run
   * cancellation cancel every running node at once); a scope per node costs
   * promises, and promises cost stack-trace captures in the sandbox.
   */
  const nodesScope = scaled ? new CancellationScope() : undefined;
  const dispatcher = new ActivityDispatcher({
    runId,
    root,
    nodes: nodesScope,
    failFast: graph.settings.onError === 'failFast',
    claimCheck: args.claimCheck === true,
    partitioned: scaled,
    ...(host ? { share: host.share, activityIdPrefix: `${host.runId.slice(host.runId.lastIndexOf('/') + 1)}/` } : {}),
  });
  const wheel = scaled ? new TimerWheel(root) : undefined;
  const ctx: ExecutorContext = {
    graph,
    scheduler,
    input,
    nodesView,
    activities: dispatcher,
    async evaluate(value, field) {
      try {
        return await evaluateTemplate(value, bindings(), expressions);
      } catch (err) {
        if (err instanceof ExpressionError) {
          throw new NodeFailure(FAILURE_TYPES.expression, `${field}: ${err.message}`, { code: err.code });
        }
        throw err;
      }
    },
    sleep(ms) {
      return wheel ? wheel.wait(ms) : sleep(ms);
    },
    mailbox,
    markProgress(node, progress) {
      progressTotals.set(node.id, { total: progress.total, batches: new Map() });
      tracker.setNode(node.id, { ...state.nodes[node.id]!, progress });
    },
    markWaiting(node, waiting) {
      tracker.setNode(node.id, { ...state.nodes[node.id]!, status: 'waiting', waiting: { ...waiting, since: iso(Date.now()) } });
      nodesView[node.id] = { status: 'waiting' };
    },
    run: { id: runId, taskQueue: info.taskQueue, library: args.library ?? {}, nodeTypes: args.nodeTypes ?? [], claimCheck: args.claimCheck === true },
  };

  const settled: Settled[] = [];
  const scopes = new Map<number, CancellationScope>();
  const failures: { node: NodeSpec; error: NodeError }[] = [];
  let runCancelled = false;

  const onSettled = (node: NodeSpec) => [
    (result: NodeResult) => settled.push({ node, result }),
    (err: unknown) =>
      settled.push(
        err instanceof BatchedNodeFailure
          ? { node, error: err.error, cancelled: err.cancelled }
          : {
              node,
              error: err instanceof NodeFailure ? nodeFailureToError(err) : toNodeError(err),
              cancelled: isCancellation(err),
            },
      ),
  ] as const;
  const execute = (node: NodeSpec): Promise<NodeResult> => {
    try {
      return (EXECUTORS[node.type as NodeType] ?? customNode)(node, ctx);
    } catch (err) {
      return Promise.reject(err);
    }
  };
  const launch = (node: NodeSpec) => {
    const now = Date.now();
    startedAt[node.index] = now;
    tracker.setNode(node.id, { status: 'running', attempts: 0, startedAt: iso(now) });
    if (ACTIVITY_NODE_TYPES.has(node.type)) state.metrics.activityCount++;
    if (nodesScope) {
      execute(node).then(...onSettled(node));
      return;
    }
    const scope = new CancellationScope();
    scopes.set(node.index, scope);
    scope.run(() => execute(node)).then(...onSettled(node));
  };
  const launchReady = () => {
    const ready = scheduler.next();
    if (ready.length === 0) return;
    dispatcher.plan(ready.filter((n) => ACTIVITY_NODE_TYPES.has(n.type) && n.execution !== 'local').length);
    if (nodesScope) void nodesScope.run(async () => ready.forEach(launch));
    else ready.forEach(launch);
  };

  /** Nodes the run asked to stop (fail-fast, cancellation): however they end short of success, they were canceled. */
  const stopRequested = new Set<number>();
  const finish = (s: Settled) => {
    const { node } = s;
    scopes.delete(node.index);
    const now = Date.now();
    const tookMs = now - startedAt[node.index]!;
    const base = { type: node.type, startedAt: iso(startedAt[node.index]!), finishedAt: iso(now) };
    let outcome: NodeOutcome;
    if ('result' in s) {
      const r = s.result;
      work[node.index] = r.runMs;
      tracker.setNode(node.id, {
        ...base,
        status: 'succeeded',
        attempts: r.attempts,
        output: r.output,
        ...(r.queuedMs === undefined ? {} : { queuedMs: r.queuedMs }),
        runMs: r.runMs,
        execution: r.execution,
        ...(r.childRunId === undefined ? {} : { childRunId: r.childRunId }),
        ...(r.progress === undefined ? {} : { progress: r.progress }),
      });
      nodesView[node.id] = { status: 'succeeded', output: r.output };
      outcome = { status: 'succeeded', handle: r.handle };
      log.info(`Node ${node.id} succeeded in ${tookMs} ms`);
    } else {
      const timing = timingOf(s.error);
      work[node.index] = timing.runMs;
      // Asked to stop, a node may still end otherwise (its worker died and the
      // activity timed out before the cancellation was confirmed): canceled all the same.
      if (s.cancelled || stopRequested.has(node.index)) {
        tracker.setNode(node.id, { ...base, status: 'canceled', attempts: attemptsOf(s.error), error: s.error, ...timing });
        nodesView[node.id] = { status: 'canceled', error: s.error };
        outcome = { status: 'canceled' };
        log.info(`Node ${node.id} canceled after ${tookMs} ms`);
      } else {
        const output = node.onError === 'continue' ? { error: s.error } : undefined;
        tracker.setNode(node.id, {
          ...base,
          status: 'failed',
          attempts: attemptsOf(s.error),
          error: s.error,
          ...(output ? { output } : {}),
          ...timing,
        });
        nodesView[node.id] = { status: 'failed', error: s.error, ...(output ? { output } : {}) };
        outcome = { status: 'failed' };
        log.warn(`Node ${node.id} failed in ${tookMs} ms: ${s.error.message}`, { type: s.error.type });
        if (node.onError === 'fail') {
          failures.push({ node, error: s.error });
          if (graph.settings.onError === 'failFast') stopAll();
        }
      }
    }
    scheduler.complete(node.index, outcome);
    const taken = graph.outgoing[node.index]!.filter((e) => scheduler.isTaken(e)).length;
    log.debug(`Node ${node.id} has ${graph.outgoing[node.index]!.length} outgoing edge(s)`);
    if (taken > 1) log.info(`Executing ${taken} parallel branches from node ${node.id}`);
  };

  const stopAll = () => {
    const running = scheduler.stop();
    for (const i of running) stopRequested.add(i);
    if (nodesScope) {
      if (running.length > 0) nodesScope.cancel();
    } else for (const i of running) scopes.get(i)?.cancel();
    for (const n of graph.nodes) {
      if (scheduler.statusOf(n.index) === 'canceled' && state.nodes[n.id]!.status === 'pending') {
        tracker.setNode(n.id, { status: 'canceled', attempts: 0 });
      }
    }
  };

  const recordSkipped = () => {
    for (const n of scheduler.takeSkipped()) {
      tracker.setNode(n.id, { status: 'skipped', attempts: 0 });
      nodesView[n.id] = { status: 'skipped' };
    }
  };

  const hasWork = () => settled.length > 0 || dispatcher.canFlush;
  const settle = () => {
    dispatcher.flush();
    for (const s of settled.splice(0)) finish(s);
  };

  const limits = args.historyLimits ?? HISTORY_LIMITS;
  let historyLimit: string | undefined;
  const guardHistory = () => {
    if (historyLimit !== undefined) return;
    const { historyLength, historySize } = workflowInfo();
    if (historyLength < limits.events && historySize < limits.bytes) return;
    if (!patched(HISTORY_GUARD_PATCH)) return;
    historyLimit =
      `run history reached ${historyLength} events / ${(historySize / 2 ** 20).toFixed(1)} MB, past Braid's limit of ${limits.events} events / ` +
      `${Math.round(limits.bytes / 2 ** 20)} MB below Temporal's own; split the graph (subworkflow, forEach) or keep large outputs out of history (PAYLOAD_STORE)`;
    log.warn(historyLimit);
    stopAll();
  };

  try {
    for (;;) {
      recordSkipped();
      launchReady();
      if (scheduler.done) break;
      await condition(hasWork);
      settle();
      guardHistory();
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The run itself was canceled: cancel what runs, wait for it to stop, report.
    runCancelled = true;
    await CancellationScope.nonCancellable(async () => {
      stopAll();
      while (!scheduler.done) {
        await condition(hasWork);
        settle();
      }
    });
  }
  recordSkipped();

  const endMs = Date.now();
  state.finishedAt = iso(endMs);
  const workMs = criticalPath(graph, work).ms;
  const wallMs = endMs - startedMs;
  state.metrics = { ...runTiming(wallMs, workMs), activityCount: state.metrics.activityCount };
  tracker.touch();

  if (runCancelled) {
    state.status = 'canceled';
    state.error = { type: 'CancelledFailure', message: 'run canceled' };
    fitIntoPayloadLimit(state, args.claimCheck === true);
    // Temporal records no details with a cancellation; the state query answers for it.
    throw new CancelledFailure('run canceled');
  }
  if (historyLimit !== undefined) {
    state.status = 'failed';
    state.error = { type: FAILURE_TYPES.historyLimit, message: historyLimit };
    fitIntoPayloadLimit(state, args.claimCheck === true);
    throw ApplicationFailure.nonRetryable(historyLimit, FAILURE_TYPES.historyLimit, state);
  }
  if (failures.length > 0) {
    state.status = 'failed';
    const first = failures[0]!;
    const failedNodes = failures.map((f) => f.node.id);
    const message =
      failures.length === 1
        ? `node ${first.node.id} failed: ${first.error.message}`
        : `${failures.length} nodes failed (${failedNodes.join(', ')}); first: ${first.node.id}: ${first.error.message}`;
    state.error = { type: FAILURE_TYPES.runFailed, message, failedNodes };
    fitIntoPayloadLimit(state, args.claimCheck === true);
    throw ApplicationFailure.nonRetryable(message, FAILURE_TYPES.runFailed, state);
  }
  state.status = 'succeeded';
  state.output = runOutput(graph, state);
  fitIntoPayloadLimit(state, args.claimCheck === true);
  return state;
}

/**
 * Temporal rejects payloads over 2 MB and warns past 512 KB. The final state
 * repeats every node's output, so a very wide run could exceed that: past
 * RESULT_OUTPUT_BUDGET characters of JSON, node outputs (and if need be the
 * run's output) are left out of the result — each node's own activity result
 * in history still has it — and the run says so with `outputsOmitted`. Not
 * when the run's payloads are claim-checked (`args.claimCheck`).
 */
export const RESULT_OUTPUT_BUDGET = 400_000;

function fitIntoPayloadLimit(state: RunState, claimChecked: boolean): void {
  if (claimChecked) return; // a large result is stored outside history, whatever its size
  if (JSON.stringify(state).length <= RESULT_OUTPUT_BUDGET) return;
  for (const node of Object.values(state.nodes)) delete node.output;
  state.outputsOmitted = true;
  if (JSON.stringify(state).length > RESULT_OUTPUT_BUDGET) delete state.output;
}

function detailsOf(error: NodeError): { attempt?: unknown; queuedMs?: unknown; runMs?: unknown } | undefined {
  return error.details as { attempt?: unknown; queuedMs?: unknown; runMs?: unknown } | undefined;
}

function attemptsOf(error: NodeError): number {
  const attempt = detailsOf(error)?.attempt;
  return typeof attempt === 'number' ? attempt : 1;
}

/** queuedMs / runMs of a failed activity's last attempt, when it reported them. */
function timingOf(error: NodeError): { queuedMs?: number; runMs?: number } {
  const d = detailsOf(error);
  return {
    ...(typeof d?.queuedMs === 'number' ? { queuedMs: d.queuedMs } : {}),
    ...(typeof d?.runMs === 'number' ? { runMs: d.runMs } : {}),
  };
}

/** The run's output: each terminal node (no outgoing edges) that succeeded → its output. */
function runOutput(graph: Graph, state: RunState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of graph.nodes) {
    const s = state.nodes[n.id]!;
    if (graph.outgoing[n.index]!.length === 0 && s.status === 'succeeded') {
      setOwnProperty(out, n.id, s.output ?? null);
    }
  }
  return out;
}
