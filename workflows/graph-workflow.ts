/**
 * The interpreter: one generic workflow that runs any valid graph.
 *
 * Its loop asks the pure scheduler (`src/graph/scheduler.ts`) which nodes may
 * start, starts all of them in the same workflow task (node-runner.ts, through
 * the executor of their type), and waits for the next node to end. What an
 * end means for a node (src/graph/node-end.ts) and for the run
 * (src/graph/run-end.ts) is decided in pure code; queries, the update and the
 * signals are in run-handlers.ts. This file holds the loop and turns the
 * run's verdict into a result or a failure.
 */
import { ApplicationFailure, CancellationScope, CancelledFailure, condition, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { criticalPath } from '../src/graph/critical-path';
import type { ExpressionCache } from '../src/graph/expressions';
import { FAILURE_TYPES } from '../src/graph/failures';
import { ForEachProgressTotals } from '../src/graph/for-each-progress';
import type { Graph } from '../src/graph/graph';
import { fitIntoPayloadLimit, runOutput, runVerdict } from '../src/graph/run-end';
import type { GraphWorkflowInput, RunState } from '../src/graph/run-state';
import { isoTime, runTiming } from '../src/graph/run-state';
import { RunTracker } from '../src/graph/run-tracker';
import { Scheduler } from '../src/graph/scheduler';
import type { NodeEstimate } from '../src/graph/start-order';
import { hostLimitCanBind, limitCanBind, nodeEstimates, remainingPath, startRanks, weightsOf } from '../src/graph/start-order';
import type { ValidationResult } from '../src/graph/validate';
import { formatPath, validateDefinition } from '../src/graph/validate';
import type { NodeTypes } from './nodes';
import { checkedNodeTypes } from './nodes';
import { Mailbox } from './mailbox';
import { NodeRunner } from './node-runner';
import { setRunHandlers } from './run-handlers';
import { RunControl, setControlHandlers } from './run-control';
import { RunAdmission } from './run-admission';
import { durationMs } from '../src/graph/duration';
import { PATCHES } from './patches';
import { RunTrace } from './run-trace';

export { ACTIVITY_DEFAULTS } from './activity-options';

/**
 * Waiting activity nodes start longest-remaining-path first (start-order.ts)
 * instead of in definition order. Asked only for a graph whose limit can bind
 * (more slotted nodes than `maxParallel`): other runs record nothing new, and
 * runs recorded before it replay in definition order.
 */
export const START_ORDER_PATCH = PATCHES.startOrder.id;
/**
 * A run whose `maxParallel` cannot bind but whose `http` nodes may wait for a
 * host's limit starts them in the same order, and each request carries its
 * node's remaining path so the host limiter serves the run's critical path
 * first. Asked only for such graphs (hostLimitCanBind).
 */
export const HOST_ORDER_PATCH = PATCHES.hostOrder.id;
export { CACHE_PATCH, FAST_EXPRESSIONS_PATCH, HISTORY_GUARD_PATCH, SCALE_PATCH, SEEDS_PATCH } from './node-runner';
export { RESULT_OUTPUT_BUDGET } from '../src/graph/run-end';
export { changesQuery, decisionUpdate, eventSignal, forEachProgressSignal, stateQuery } from './run-handlers';

export async function graphWorkflow(args: GraphWorkflowInput): Promise<RunState> {
  return interpretGraph(args);
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
export async function interpretGraph(args: GraphWorkflowInput, host?: GraphHost): Promise<RunState> {
  const runId = host?.runId ?? workflowInfo().workflowId;
  const startedMs = Date.now();
  const { graph, scheduler, types, estimates } = prepare(args, host);
  const tracker = new RunTracker(initialState(runId, graph, args, startedMs, estimates));
  const { state } = tracker;
  const mailbox = new Mailbox();
  const progress = new ForEachProgressTotals();
  const control = new RunControl(tracker);
  const admission = new RunAdmission(tracker, control);
  if (!host) {
    const liveWallMs = () => tracker.showWallTime(Date.now() - startedMs);
    setRunHandlers({ graph, tracker, mailbox, progress, liveWallMs, now: () => isoTime(Date.now()) });
    setControlHandlers(control, tracker);
    if (graph.settings.timeout !== undefined) control.startDeadline(durationMs(graph.settings.timeout));
    // After the deadline's timer: the deadline counts queued time.
    admission.begin(graph, args);
  }
  const trace = new RunTrace(runId, args.trace);
  const nodes = new NodeRunner({ args, runId, graph, types, scheduler, tracker, mailbox, progress, trace, ...(host ? { host } : {}) });

  let cancelled = false;
  let deadline: string | undefined;
  try {
    for (;;) {
      nodes.recordSkipped();
      // Paused, or waiting for its limits: nothing starts; what runs is recorded as it ends.
      if (!control.paused && admission.admitted && !control.deadlinePassed) nodes.launchReady();
      if (scheduler.done) break;
      await condition(() => nodes.hasWork || control.woken || admission.woken);
      control.woken = admission.woken = false;
      nodes.recordEnded();
      nodes.guardHistory();
      // A deadline that passed wins, even over the last node's end seen in the same task (its timer was due first).
      if (control.deadlinePassed && deadline === undefined) {
        deadline = deadlineMessage(graph.settings.timeout!, state, admission.admitted);
        if (!scheduler.done) await stopAndDrain(nodes, scheduler);
      }
      if (admission.refused && !scheduler.done) {
        cancelled = admission.refused.skipped;
        await stopAndDrain(nodes, scheduler);
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The run itself was canceled: cancel what runs, wait for it to stop, report.
    cancelled = true;
    await stopAndDrain(nodes, scheduler);
  }
  nodes.recordSkipped();
  await admission.release(runId);
  // Ended past its deadline without the timer seen (a server down when it was due): late is late.
  if (deadline === undefined && !cancelled && control.deadlineArmed && Date.now() - startedMs >= durationMs(graph.settings.timeout!)) {
    deadline = deadlineMessage(graph.settings.timeout!, state, admission.admitted);
  }

  const endMs = Date.now();
  const verdict = runVerdict({
    cancelled,
    ...(deadline === undefined ? {} : { deadline }),
    ...(admission.refused && !admission.refused.skipped ? { refused: admission.refused.message } : {}),
    ...(nodes.historyLimit === undefined ? {} : { historyLimit: nodes.historyLimit }),
    failures: nodes.failures,
  });
  tracker.end({
    finishedAt: isoTime(endMs),
    metrics: { ...runTiming(endMs - startedMs, criticalPath(graph, nodes.runMs).ms, control.pausedMs(endMs)), activityCount: state.metrics.activityCount },
    status: verdict.status,
    ...(verdict.status === 'succeeded' ? { output: runOutput(graph, state) } : { error: verdict.error }),
  });
  trace.runEnded(state, startedMs, endMs);
  // The final state is the workflow's result: past Temporal's payload limit, the largest outputs give way.
  fitIntoPayloadLimit(state, args.claimCheck === true);
  // Temporal records no details with a cancellation; the state query answers for it.
  if (verdict.status === 'canceled') throw new CancelledFailure('run canceled');
  if (verdict.status === 'failed') throw ApplicationFailure.nonRetryable(verdict.error.message, verdict.failureType, state);
  return state;
}

/** Cancels what runs, marks what has not started canceled, and waits for every node to be recorded. */
async function stopAndDrain(nodes: NodeRunner, scheduler: Scheduler): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    nodes.stopAll();
    while (!scheduler.done) {
      await condition(() => nodes.hasWork);
      nodes.recordEnded();
    }
  });
}

/** What a run that passed its deadline says: the deadline, and what it canceled. */
function deadlineMessage(timeout: string, state: RunState, admitted: boolean): string {
  const running = Object.entries(state.nodes)
    .filter(([, n]) => n.status === 'running' || n.status === 'waiting')
    .map(([id]) => id);
  const what = admitted ? (running.length ? `; canceled while running: ${running.join(', ')}` : '') : '; the run was still queued';
  return `the run's deadline (settings.timeout ${timeout}) passed${what}`;
}

/**
 * The graph, validated (once per forEach batch), and its scheduler, with the
 * nodes' estimates when it orders by them; an invalid graph fails the run for good.
 */
function prepare(args: GraphWorkflowInput, host?: GraphHost): { graph: Graph; scheduler: Scheduler; types: NodeTypes; estimates?: NodeEstimate[] } {
  const types = checkedNodeTypes(args.nodeTypes);
  const validation = host?.validation ?? validateDefinition(args.definition, types);
  if (!validation.ok) {
    throw ApplicationFailure.nonRetryable(
      `invalid workflow definition (${validation.issues.length} problem(s))`,
      FAILURE_TYPES.invalidDefinition,
      validation.issues,
    );
  }
  const { graph } = validation;
  const ordered = limitCanBind(graph) ? patched(START_ORDER_PATCH) : hostLimitCanBind(graph) && patched(HOST_ORDER_PATCH);
  const estimates = ordered ? nodeEstimates(graph, args.learnedMs) : undefined;
  const remaining = estimates ? remainingPath(graph, weightsOf(estimates)) : undefined;
  const order = remaining ? { ranks: startRanks(graph, [], remaining), remaining } : {};
  try {
    return { graph, scheduler: new Scheduler(graph, { trigger: args.trigger, ...order }), types, ...(estimates ? { estimates } : {}) };
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, FAILURE_TYPES.invalidDefinition, [
      { code: 'unknown_trigger', path: formatPath(['trigger']), message: (err as Error).message },
    ]);
  }
}

function initialState(runId: string, graph: Graph, args: GraphWorkflowInput, startedMs: number, estimates?: NodeEstimate[]): RunState {
  return {
    runId,
    name: graph.name,
    ...(graph.version === undefined ? {} : { version: graph.version }),
    status: 'running',
    startedAt: isoTime(startedMs),
    input: args.input ?? null,
    nodes: Object.fromEntries(graph.nodes.map((n) => [n.id, { status: 'pending', attempts: 0, ...(estimates ? { estimate: estimates[n.index]! } : {}) }])),
    metrics: { wallMs: 0, workMs: 0, overheadMs: 0, efficiency: 0, criticalPathMs: 0, activityCount: 0 },
  };
}
