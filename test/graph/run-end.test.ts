import { describe, expect, it } from 'vitest';
import { decisionRefusal } from '../../src/graph/decisions';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { ForEachProgressTotals } from '../../src/graph/for-each-progress';
import type { NodeEnd } from '../../src/graph/node-end';
import { attemptsOf, endNode, timingOf } from '../../src/graph/node-end';
import { fitIntoPayloadLimit, RESULT_OUTPUT_BUDGET, runOutput, runVerdict } from '../../src/graph/run-end';
import type { NodeError, NodeState, RunState } from '../../src/graph/run-state';
import { DECISION_REFUSALS } from '../../src/graph/run-state';
import { validateDefinition } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const boom: NodeError = { type: 'HttpError', message: 'boom', retryable: true, details: { attempt: 3, queuedMs: 4, runMs: 25 } };
const bare: NodeError = { type: 'Error', message: 'bare' };

describe('endNode: a node end → its state, binding, outcome', () => {
  const cases: {
    name: string;
    onError: 'fail' | 'continue' | 'branch';
    end: NodeEnd;
    stop: boolean;
    want: Partial<NodeState>;
    outcome: string;
    failsRun: boolean;
    workMs: number | undefined;
  }[] = [
    {
      name: 'a result succeeds with its output, attempts, timing and the branch it took',
      onError: 'fail',
      end: { result: { output: { ok: 1 }, attempts: 2, runMs: 30, queuedMs: 5, execution: 'activity', handle: 'yes' } },
      stop: false,
      want: { status: 'succeeded', attempts: 2, output: { ok: 1 }, runMs: 30, queuedMs: 5, execution: 'activity', handle: 'yes' },
      outcome: 'succeeded',
      failsRun: false,
      workMs: 30,
    },
    {
      name: 'a cancellation is canceled',
      onError: 'fail',
      end: { error: bare, cancelled: true },
      stop: false,
      want: { status: 'canceled', attempts: 1, error: bare },
      outcome: 'canceled',
      failsRun: false,
      workMs: undefined,
    },
    {
      name: 'a failure of a node asked to stop is canceled, with its last attempt',
      onError: 'fail',
      end: { error: boom, cancelled: false },
      stop: true,
      want: { status: 'canceled', attempts: 3, error: boom, queuedMs: 4, runMs: 25 },
      outcome: 'canceled',
      failsRun: false,
      workMs: 25,
    },
    {
      name: 'onError fail: failed, fails the run',
      onError: 'fail',
      end: { error: boom, cancelled: false },
      stop: false,
      want: { status: 'failed', attempts: 3, error: boom, queuedMs: 4, runMs: 25 },
      outcome: 'failed',
      failsRun: true,
      workMs: 25,
    },
    {
      name: 'onError continue: failed, its error is its output, the run goes on',
      onError: 'continue',
      end: { error: bare, cancelled: false },
      stop: false,
      want: { status: 'failed', attempts: 1, error: bare, output: { error: bare } },
      outcome: 'failed',
      failsRun: false,
      workMs: undefined,
    },
    {
      name: 'onError branch: failed, the run goes on',
      onError: 'branch',
      end: { error: bare, cancelled: false },
      stop: false,
      want: { status: 'failed', attempts: 1, error: bare },
      outcome: 'failed',
      failsRun: false,
      workMs: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ended = endNode({ type: 'http', onError: c.onError }, c.end, T0, T0 + 40, c.stop);
      expect(ended.state).toEqual({ type: 'http', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.040Z', ...c.want });
      expect(ended.outcome.status).toBe(c.outcome);
      expect(ended.binding.status).toBe(c.want.status);
      expect(ended.failsRun).toBe(c.failsRun);
      expect(ended.workMs).toBe(c.workMs);
    });
  }

  it("hands a condition's branch to the scheduler", () => {
    const ended = endNode(
      { type: 'condition', onError: 'fail' },
      { result: { output: true, attempts: 1, runMs: 0, execution: 'workflow', handle: 'true' } },
      T0,
      T0,
      false,
    );
    expect(ended.outcome).toEqual({ status: 'succeeded', handle: 'true' });
  });

  it('reads attempts and timing only when the activity reported numbers', () => {
    expect(attemptsOf({ ...bare, details: { attempt: '2' } })).toBe(1);
    expect(timingOf({ ...bare, details: { runMs: 7, queuedMs: 'x' } })).toEqual({ runMs: 7 });
  });

  it("keeps why earlier attempts failed: a success's retries, and a failure's from its details when they are all strings", () => {
    const ok = endNode(
      { type: 'http', onError: 'fail' },
      { result: { output: 1, attempts: 2, runMs: 5, execution: 'activity', retries: ['HttpServerError'] } },
      T0,
      T0,
      false,
    );
    expect(ok.state.retries).toEqual(['HttpServerError']);
    const failed = endNode(
      { type: 'http', onError: 'fail' },
      { error: { ...boom, details: { attempt: 3, retries: ['TimeoutFailure', 'HttpError'] } }, cancelled: false },
      T0,
      T0,
      false,
    );
    expect(failed.state.retries).toEqual(['TimeoutFailure', 'HttpError']);
    const forged = endNode(
      { type: 'http', onError: 'fail' },
      { error: { ...boom, details: { attempt: 2, retries: [{ x: 1 }] } }, cancelled: false },
      T0,
      T0,
      false,
    );
    expect(forged.state).not.toHaveProperty('retries');
  });
});

describe('runVerdict: how a run ends', () => {
  const failure = (nodeId: string, message: string) => ({ nodeId, error: { type: 'HttpError', message } });
  const cases: { name: string; input: Parameters<typeof runVerdict>[0]; want: ReturnType<typeof runVerdict> }[] = [
    { name: 'nothing failed: succeeded', input: { cancelled: false, failures: [] }, want: { status: 'succeeded' } },
    {
      name: 'canceled wins over failures and the history limit',
      input: { cancelled: true, historyLimit: 'too long', failures: [failure('a', 'x')] },
      want: { status: 'canceled', error: { type: 'CancelledFailure', message: 'run canceled' } },
    },
    {
      name: 'the history limit wins over failures',
      input: { cancelled: false, historyLimit: 'too long', failures: [failure('a', 'x')] },
      want: { status: 'failed', failureType: FAILURE_TYPES.historyLimit, error: { type: FAILURE_TYPES.historyLimit, message: 'too long' } },
    },
    {
      name: 'one failed node names it',
      input: { cancelled: false, failures: [failure('a', 'x')] },
      want: {
        status: 'failed',
        failureType: FAILURE_TYPES.runFailed,
        error: { type: FAILURE_TYPES.runFailed, message: 'node a failed: x', failedNodes: ['a'] },
      },
    },
    {
      name: 'several failed nodes: counted, listed, the first one quoted',
      input: { cancelled: false, failures: [failure('a', 'x'), failure('b', 'y')] },
      want: {
        status: 'failed',
        failureType: FAILURE_TYPES.runFailed,
        error: { type: FAILURE_TYPES.runFailed, message: '2 nodes failed (a, b); first: a: x', failedNodes: ['a', 'b'] },
      },
    },
    {
      name: "a fail node's error is the run's, with its id, even after another failure",
      input: {
        cancelled: false,
        failures: [failure('a', 'x'), { nodeId: 'stop', error: { type: 'OrderRejected', message: 'too big', details: { total: 9 } }, endsRun: true }],
      },
      want: {
        status: 'failed',
        failureType: 'OrderRejected',
        error: { type: 'OrderRejected', message: 'too big', details: { total: 9 }, nodeId: 'stop', failedNodes: ['a', 'stop'] },
      },
    },
  ];
  for (const c of cases) it(c.name, () => expect(runVerdict(c.input)).toEqual(c.want));
});

const runState = (nodes: Record<string, NodeState>): RunState => ({
  runId: 'r',
  name: 'n',
  status: 'succeeded',
  startedAt: '2026-01-01T00:00:00.000Z',
  input: null,
  nodes,
  metrics: { wallMs: 0, workMs: 0, overheadMs: 0, efficiency: 0, criticalPathMs: 0, activityCount: 0 },
});

describe('runOutput and fitIntoPayloadLimit', () => {
  const v = validateDefinition(
    {
      nodes: [
        { id: 't', type: 'trigger' },
        { id: 'a', type: 'set', data: { value: 1 } },
        { id: 'b', type: 'set', data: { value: 2 } },
        { id: 'c', type: 'set', data: { value: 3 } },
      ],
      edges: [
        { source: 't', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 't', target: 'c' },
      ],
    },
    BUILT_IN_CATALOG,
  );
  if (!v.ok) throw new Error('fixture graph is invalid');

  it('is each succeeded node without outgoing edges → its output (null when it had none)', () => {
    const state = runState({
      t: { status: 'succeeded', attempts: 1 },
      a: { status: 'succeeded', attempts: 1, output: 1 },
      b: { status: 'succeeded', attempts: 1 },
      c: { status: 'failed', attempts: 1, output: 3 },
    });
    expect(runOutput(v.graph, state)).toEqual({ b: null });
  });

  it('leaves node outputs, then the run output, out of a result past the budget', () => {
    const big = 'x'.repeat(RESULT_OUTPUT_BUDGET);
    const state = {
      ...runState({ a: { status: 'succeeded', attempts: 1, output: big }, b: { status: 'succeeded', attempts: 1, output: big } }),
      output: { b: big, c: big },
    };
    fitIntoPayloadLimit(state, false);
    expect(state.outputsOmitted).toBe(true);
    expect(state.nodes.a!.output).toBeUndefined();
    expect(state.output).toBeUndefined();

    const small = { ...runState({ a: { status: 'succeeded', attempts: 1, output: big } }), output: { a: 'small' } };
    fitIntoPayloadLimit(small, false);
    expect(small).toMatchObject({ outputsOmitted: true, output: { a: 'small' } });

    const claimChecked = runState({ a: { status: 'succeeded', attempts: 1, output: big + big + big } });
    fitIntoPayloadLimit(claimChecked, true);
    expect(claimChecked.nodes.a!.output).toHaveLength(big.length * 3);
    expect(claimChecked.outputsOmitted).toBeUndefined();
  });
});

describe('decisionRefusal', () => {
  const v = validateDefinition(
    {
      nodes: [
        { id: 't', type: 'trigger' },
        { id: 'ok', type: 'approval', data: { prompt: 'ship?' } },
        { id: 's', type: 'set', data: { value: 1 } },
      ],
      edges: [
        { source: 't', target: 'ok' },
        { source: 'ok', target: 's', sourceHandle: 'approved' },
      ],
    },
    BUILT_IN_CATALOG,
  );
  if (!v.ok) throw new Error(`fixture graph is invalid: ${JSON.stringify(v.issues)}`);
  const nodes = (status: NodeState['status']) => ({
    t: { status: 'succeeded' as const, attempts: 1 },
    ok: { status, attempts: 0 },
    s: { status: 'pending' as const, attempts: 0 },
  });
  const cases: { name: string; status: NodeState['status']; decided: boolean; input: unknown; want: string | undefined }[] = [
    { name: 'a waiting approval takes a boolean decision', status: 'waiting', decided: false, input: { nodeId: 'ok', approved: true }, want: undefined },
    { name: 'an unknown node', status: 'waiting', decided: false, input: { nodeId: 'nope', approved: true }, want: DECISION_REFUSALS.unknownNode },
    { name: 'a node that is not an approval', status: 'waiting', decided: false, input: { nodeId: 's', approved: true }, want: DECISION_REFUSALS.unknownNode },
    { name: 'an approval not yet waiting', status: 'pending', decided: false, input: { nodeId: 'ok', approved: true }, want: DECISION_REFUSALS.notWaiting },
    { name: 'an approval already decided', status: 'waiting', decided: true, input: { nodeId: 'ok', approved: false }, want: DECISION_REFUSALS.notWaiting },
    {
      name: 'a decision that is not a boolean',
      status: 'waiting',
      decided: false,
      input: { nodeId: 'ok', approved: 'yes' },
      want: FAILURE_TYPES.invalidNodeData,
    },
    { name: 'no input at all', status: 'waiting', decided: false, input: undefined, want: DECISION_REFUSALS.unknownNode },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const refusal = decisionRefusal(v.graph, nodes(c.status), () => c.decided, c.input as never);
      expect(refusal?.type).toBe(c.want);
    });
  }

  it('says why a node is not waiting', () => {
    expect(decisionRefusal(v.graph, nodes('waiting'), () => true, { nodeId: 'ok', approved: true })?.message).toBe(
      'node "ok" is not waiting for a decision (it is decided)',
    );
    expect(decisionRefusal(v.graph, nodes('succeeded'), () => false, { nodeId: 'ok', approved: true })?.message).toBe(
      'node "ok" is not waiting for a decision (it is succeeded)',
    );
  });
});

describe('ForEachProgressTotals', () => {
  it("sums each batch's latest report, in any order, once per batch", () => {
    const p = new ForEachProgressTotals();
    expect(p.report({ nodeId: 'each', batch: 0, done: 1, failed: 0 })).toBeUndefined();
    p.start('each', 1_000);
    expect(p.report({ nodeId: 'each', batch: 1, done: 100, failed: 2 })).toEqual({ done: 100, failed: 2, total: 1_000 });
    expect(p.report({ nodeId: 'each', batch: 0, done: 50, failed: 0 })).toEqual({ done: 150, failed: 2, total: 1_000 });
    expect(p.report({ nodeId: 'each', batch: 1, done: 500, failed: 3 })).toEqual({ done: 550, failed: 3, total: 1_000 });
    p.start('each', 10);
    expect(p.report({ nodeId: 'each', batch: 0, done: 1, failed: 0 })).toEqual({ done: 1, failed: 0, total: 10 });
  });
});
