/**
 * The interpreter: one generic workflow that runs any valid graph.
 *
 * It asks the pure scheduler (`src/graph/scheduler.ts`) which nodes may start,
 * starts all of them in the same workflow task (activities for I/O nodes,
 * plain code for the rest), and waits for the next node to end. Decisions live
 * in `src/graph`; this file only does Temporal things: schedule, cancel, sleep,
 * wait, answer queries.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { criticalPath } from '../src/graph/critical-path';
import { durationMs } from '../src/graph/duration';
import { ExpressionCache, ExpressionError, evaluateTemplate } from '../src/graph/expressions';
import { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../src/graph/failures';
import type { Graph, NodeSpec } from '../src/graph/graph';
import { setOwnProperty } from '../src/graph/own-property';
import type { GraphWorkflowInput, NodeError, NodeState, RunState } from '../src/graph/run-state';
import { STATE_QUERY } from '../src/graph/run-state';
import type { NodeOutcome } from '../src/graph/scheduler';
import { Scheduler } from '../src/graph/scheduler';
import { ACTIVITY_NODE_TYPES, httpDataSchema } from '../src/graph/schema';
import { secretsBinding } from '../src/graph/secrets';
import { formatPath, validateDefinition } from '../src/graph/validate';
import { NodeFailure, nodeFailureToError, toNodeError } from './errors';

export const stateQuery = defineQuery<RunState>(STATE_QUERY);

/** Defaults for activity nodes; a node's `retry` and `timeout` override them. */
export const ACTIVITY_DEFAULTS = {
  maximumAttempts: 3,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  startToCloseTimeout: '60s',
  heartbeatTimeout: '10s',
} as const;

interface NodeResult {
  output: unknown;
  attempts: number;
  /** Branch chosen by a condition or switch. */
  handle?: string;
}

type Settled = { node: NodeSpec; result: NodeResult } | { node: NodeSpec; error: NodeError; cancelled: boolean };

const iso = (ms: number) => new Date(ms).toISOString();

export async function graphWorkflow(args: GraphWorkflowInput): Promise<RunState> {
  const info = workflowInfo();
  const startedMs = Date.now();
  const validation = validateDefinition(args.definition);
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

  const state: RunState = {
    runId: info.workflowId,
    name: graph.name,
    ...(graph.version === undefined ? {} : { version: graph.version }),
    status: 'running',
    startedAt: iso(startedMs),
    input: args.input ?? null,
    nodes: Object.fromEntries(graph.nodes.map((n) => [n.id, { status: 'pending', attempts: 0 } satisfies NodeState])),
    metrics: { wallMs: 0, criticalPathMs: 0, efficiency: 0, activityCount: 0 },
  };
  setHandler(stateQuery, () => {
    if (state.status === 'running') state.metrics.wallMs = Date.now() - startedMs;
    return state;
  });

  const durations: (number | undefined)[] = graph.nodes.map(() => undefined);
  const startedAt: number[] = graph.nodes.map(() => 0);
  /** What expressions see as `$nodes`. Each entry is replaced, never mutated. */
  const nodesView: Record<string, { status: string; output?: unknown; error?: NodeError }> = Object.create(null);
  const expressions = new ExpressionCache();
  const secrets = secretsBinding(args.definition);
  const bindings = () => ({
    input: args.input ?? null,
    nodes: nodesView,
    run: { id: info.workflowId, startedAt: state.startedAt },
    secrets,
  });

  const settled: Settled[] = [];
  const scopes = new Map<number, CancellationScope>();
  const failures: { node: NodeSpec; error: NodeError }[] = [];
  let runCancelled = false;

  const evaluate = async (node: NodeSpec, value: unknown, field: string): Promise<unknown> => {
    try {
      return await evaluateTemplate(value, bindings(), expressions);
    } catch (err) {
      if (err instanceof ExpressionError) {
        throw new NodeFailure(FAILURE_TYPES.expression, `${field}: ${err.message}`, { code: err.code });
      }
      throw err;
    }
  };

  const execute = async (node: NodeSpec): Promise<NodeResult> => {
    switch (node.type) {
      case 'trigger':
        return { output: args.input ?? null, attempts: 1 };
      case 'set':
        return { output: await evaluate(node, node.data.value, 'data.value'), attempts: 1 };
      case 'condition': {
        const value = await evaluate(node, node.data.expression, 'data.expression');
        if (typeof value !== 'boolean') {
          throw new NodeFailure(FAILURE_TYPES.expression, `data.expression must yield a boolean, got ${describe(value)}`);
        }
        return { output: value, attempts: 1, handle: String(value) };
      }
      case 'switch': {
        const cases = node.data.cases as { handle: string; expression: string }[];
        for (const [i, c] of cases.entries()) {
          if ((await evaluate(node, c.expression, `data.cases[${i}].expression`)) === true) {
            return { output: { handle: c.handle }, attempts: 1, handle: c.handle };
          }
        }
        return { output: { handle: 'default' }, attempts: 1, handle: 'default' };
      }
      case 'merge':
        return { output: mergeOutput(graph, scheduler, node, nodesView), attempts: 1 };
      case 'delay': {
        let ms: number;
        if (node.data.until !== undefined) {
          const until = await evaluate(node, node.data.until, 'data.until');
          const at = typeof until === 'string' ? Date.parse(until) : NaN;
          if (Number.isNaN(at)) throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.until must be an ISO time, got ${describe(until)}`);
          ms = Math.max(0, at - Date.now());
        } else {
          const duration = await evaluate(node, node.data.duration, 'data.duration');
          try {
            ms = durationMs(String(duration));
          } catch {
            throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.duration must be a duration, got ${describe(duration)}`);
          }
        }
        if (ms > 0) await sleep(ms);
        return { output: { waitedMs: ms }, attempts: 1 };
      }
      case 'http':
        return runHttp(node);
    }
  };

  const runHttp = async (node: NodeSpec): Promise<NodeResult> => {
    const evaluated = await evaluate(node, node.data, 'data');
    const parsed = httpDataSchema.safeParse(evaluated);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${formatPath(['data', ...i.path]).slice(2)}: ${i.message}`);
      throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `invalid http data after evaluation: ${problems.join('; ')}`);
    }
    const data = parsed.data;
    const retry = node.retry ?? {};
    const activities = proxyActivities<Activities>({
      activityId: node.id,
      summary: node.label ?? node.id,
      startToCloseTimeout: node.timeout ?? ACTIVITY_DEFAULTS.startToCloseTimeout,
      heartbeatTimeout: ACTIVITY_DEFAULTS.heartbeatTimeout,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: {
        maximumAttempts: retry.maximumAttempts ?? ACTIVITY_DEFAULTS.maximumAttempts,
        initialInterval: retry.initialInterval ?? ACTIVITY_DEFAULTS.initialInterval,
        backoffCoefficient: retry.backoffCoefficient ?? ACTIVITY_DEFAULTS.backoffCoefficient,
        maximumInterval: retry.maximumInterval ?? ACTIVITY_DEFAULTS.maximumInterval,
        nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
      },
    });
    const { output, attempt } = await activities.http({
      nodeId: node.id,
      method: data.method,
      url: data.url,
      headers: data.headers,
      query: data.query,
      body: data.body,
      timeoutMs: data.timeout === undefined ? undefined : durationMs(data.timeout),
      failOnHttpError: data.failOnHttpError,
    });
    return { output, attempts: attempt };
  };

  const launch = (node: NodeSpec) => {
    const now = Date.now();
    startedAt[node.index] = now;
    state.nodes[node.id] = { status: 'running', attempts: 0, startedAt: iso(now) };
    if (ACTIVITY_NODE_TYPES.has(node.type)) state.metrics.activityCount++;
    const scope = new CancellationScope();
    scopes.set(node.index, scope);
    scope
      .run(() => execute(node))
      .then(
        (result) => settled.push({ node, result }),
        (err: unknown) =>
          settled.push({
            node,
            error: err instanceof NodeFailure ? nodeFailureToError(err) : toNodeError(err),
            cancelled: isCancellation(err),
          }),
      );
  };

  const finish = (s: Settled) => {
    const { node } = s;
    scopes.delete(node.index);
    const now = Date.now();
    durations[node.index] = now - startedAt[node.index]!;
    const base = { startedAt: iso(startedAt[node.index]!), finishedAt: iso(now) };
    let outcome: NodeOutcome;
    if ('result' in s) {
      state.nodes[node.id] = { ...base, status: 'succeeded', attempts: s.result.attempts, output: s.result.output };
      nodesView[node.id] = { status: 'succeeded', output: s.result.output };
      outcome = { status: 'succeeded', handle: s.result.handle };
      log.info(`Node ${node.id} succeeded in ${durations[node.index]} ms`);
    } else if (s.cancelled) {
      state.nodes[node.id] = { ...base, status: 'canceled', attempts: attemptsOf(s.error), error: s.error };
      nodesView[node.id] = { status: 'canceled', error: s.error };
      outcome = { status: 'canceled' };
      log.info(`Node ${node.id} canceled after ${durations[node.index]} ms`);
    } else {
      const output = node.onError === 'continue' ? { error: s.error } : undefined;
      state.nodes[node.id] = {
        ...base,
        status: 'failed',
        attempts: attemptsOf(s.error),
        error: s.error,
        ...(output ? { output } : {}),
      };
      nodesView[node.id] = { status: 'failed', error: s.error, ...(output ? { output } : {}) };
      outcome = { status: 'failed' };
      log.warn(`Node ${node.id} failed in ${durations[node.index]} ms: ${s.error.message}`, { type: s.error.type });
      if (node.onError === 'fail') {
        failures.push({ node, error: s.error });
        if (graph.settings.onError === 'failFast') stopAll();
      }
    }
    scheduler.complete(node.index, outcome);
    const taken = graph.outgoing[node.index]!.filter((e) => scheduler.isTaken(e)).length;
    log.debug(`Node ${node.id} has ${graph.outgoing[node.index]!.length} outgoing edge(s)`);
    if (taken > 1) log.info(`Executing ${taken} parallel branches from node ${node.id}`);
  };

  const stopAll = () => {
    for (const i of scheduler.stop()) scopes.get(i)?.cancel();
    for (const n of graph.nodes) {
      if (scheduler.statusOf(n.index) === 'canceled' && state.nodes[n.id]!.status === 'pending') {
        state.nodes[n.id] = { status: 'canceled', attempts: 0 };
      }
    }
  };

  const recordSkipped = () => {
    for (const n of scheduler.takeSkipped()) {
      state.nodes[n.id] = { status: 'skipped', attempts: 0 };
      nodesView[n.id] = { status: 'skipped' };
    }
  };

  try {
    for (;;) {
      recordSkipped();
      for (const node of scheduler.next()) launch(node);
      if (scheduler.done) break;
      await condition(() => settled.length > 0);
      for (const s of settled.splice(0)) finish(s);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The run itself was canceled: cancel what runs, wait for it to stop, report.
    runCancelled = true;
    await CancellationScope.nonCancellable(async () => {
      stopAll();
      while (!scheduler.done) {
        await condition(() => settled.length > 0);
        for (const s of settled.splice(0)) finish(s);
      }
    });
  }
  recordSkipped();

  const endMs = Date.now();
  state.finishedAt = iso(endMs);
  const cp = criticalPath(graph, durations);
  const wallMs = endMs - startedMs;
  state.metrics = {
    wallMs,
    criticalPathMs: cp.ms,
    efficiency: wallMs > 0 ? Math.min(1, cp.ms / wallMs) : 1,
    activityCount: state.metrics.activityCount,
  };

  if (runCancelled) {
    state.status = 'canceled';
    state.error = { type: 'CancelledFailure', message: 'run canceled' };
    fitIntoPayloadLimit(state);
    // Temporal records no details with a cancellation; the state query answers for it.
    throw new CancelledFailure('run canceled');
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
    fitIntoPayloadLimit(state);
    throw ApplicationFailure.nonRetryable(message, FAILURE_TYPES.runFailed, state);
  }
  state.status = 'succeeded';
  state.output = runOutput(graph, state);
  fitIntoPayloadLimit(state);
  return state;
}

/**
 * Temporal rejects payloads over 2 MB and warns past 512 KB. The final state
 * repeats every node's output, so a very wide run could exceed that: past
 * RESULT_OUTPUT_BUDGET characters of JSON, node outputs (and if need be the
 * run's output) are left out of the result — each node's own activity result
 * in history still has it — and the run says so with `outputsOmitted`.
 */
export const RESULT_OUTPUT_BUDGET = 400_000;

function fitIntoPayloadLimit(state: RunState): void {
  if (JSON.stringify(state).length <= RESULT_OUTPUT_BUDGET) return;
  for (const node of Object.values(state.nodes)) delete node.output;
  state.outputsOmitted = true;
  if (JSON.stringify(state).length > RESULT_OUTPUT_BUDGET) delete state.output;
}

function attemptsOf(error: NodeError): number {
  const details = error.details as { attempt?: unknown } | undefined;
  return typeof details?.attempt === 'number' ? details.attempt : 1;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return `${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} ${text === undefined ? '' : text.slice(0, 80)}`.trim();
}

/** A merge's output: source id → output, for each input edge that was taken. */
function mergeOutput(
  graph: Graph,
  scheduler: Scheduler,
  node: NodeSpec,
  view: Record<string, { output?: unknown }>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of graph.incoming[node.index]!) {
    if (!scheduler.isTaken(e)) continue;
    const source = graph.nodes[graph.edges[e]!.source]!;
    setOwnProperty(out, source.id, view[source.id]?.output ?? null);
  }
  return out;
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
