/**
 * The node types that wait for the outside world or call out of Braid —
 * approval, wait, activity, subworkflow — on the time-skipping server: each
 * one's success, failure, timeout and cancellation paths.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { NodeState, RunState } from '../../src/graph/run-state';
import { childRunId, DECISION_REFUSALS } from '../../src/graph/run-state';
import { decisionUpdate, eventSignal, stateQuery } from '../../workflows';
import { graph } from '../helpers/graphs';
import type { RunOptions } from '../helpers/run-graph';
import { cancelAndSettle, runGraph } from '../helpers/run-graph';
import { eventually } from '../helpers/sse';
import { createTimeSkippingEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
/** A worker that is not Braid's: its own activities on its own task queue. */
let other: Worker;
let otherDone: Promise<void>;
const otherQueue = uniqueId('other');
const calls: unknown[][] = [];

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  other = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: otherQueue,
    activities: {
      async greet(name: string, punctuation = '!') {
        calls.push([name, punctuation]);
        return { greeting: `hello ${name}${punctuation}` };
      },
      async refuse(reason: string) {
        throw ApplicationFailure.nonRetryable(`refused: ${reason}`, 'Refused');
      },
      async slow() {
        await new Promise((r) => setTimeout(r, 60_000));
        return 'late';
      },
    },
  });
  otherDone = other.run();
});
afterAll(async () => {
  other?.shutdown();
  await otherDone;
  await env?.teardown();
});

type Handle = Parameters<NonNullable<RunOptions['during']>>[0];
const waitingNode = (handle: Handle, nodeId: string) =>
  eventually(async () => {
    const s = await handle.query(stateQuery);
    return s.nodes[nodeId]?.status === 'waiting' ? s : undefined;
  });

/** start ─▶ ask ─┬─(approved)─▶ ship
 *                ├─(rejected)─▶ refund
 *                └─(timeout)──▶ escalate */
const approvalGraph = (timeout?: string, withTimeoutEdge = true) => {
  const b = graph()
    .trigger()
    .node('ask', 'approval', { prompt: 'Ship order?', ...(timeout ? { timeout } : {}) })
    .set('ship', 'shipped')
    .set('refund', 'refunded')
    .edge('start', 'ask')
    .edge('ask', 'ship', 'approved')
    .edge('ask', 'refund', 'rejected');
  if (withTimeoutEdge) b.set('escalate', 'escalated').edge('ask', 'escalate', 'timeout');
  return b.build();
};

describe('approval', () => {
  it('waits (status waiting, with what for) until approved, then takes the approved edge; the update answers with the node state', async () => {
    let answer: NodeState | undefined;
    const { state } = await runGraph(env, approvalGraph('1h'), {
      during: async (handle) => {
        const waiting = await waitingNode(handle, 'ask');
        expect(waiting.nodes.ask!.waiting).toMatchObject({ kind: 'approval', prompt: 'Ship order?', since: expect.any(String), timeoutAt: expect.any(String) });
        answer = await handle.executeUpdate(decisionUpdate, { args: [{ nodeId: 'ask', approved: true, comment: 'ok', by: 'ada' }] });
      },
    });
    expect(answer).toMatchObject({ status: 'succeeded', output: { approved: true, comment: 'ok', by: 'ada' } });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.ask).toMatchObject({ status: 'succeeded', output: { approved: true, by: 'ada' } });
    expect(state.nodes.ask!.waiting).toBeUndefined();
    expect(state.nodes.ship!.status).toBe('succeeded');
    expect(state.nodes.refund!.status).toBe('skipped');
    expect(state.nodes.escalate!.status).toBe('skipped');
  });

  it('takes the rejected edge when rejected', async () => {
    // (A second decision is refused: see test/e2e/language.test.ts; the time-skipping
    // server loses track of an update refused after an accepted one.)
    const { state } = await runGraph(env, approvalGraph(), {
      during: async (handle) => {
        await waitingNode(handle, 'ask');
        await handle.executeUpdate(decisionUpdate, { args: [{ nodeId: 'ask', approved: false, by: 'grace' }] });
      },
    });
    expect(state.nodes.ask).toMatchObject({ status: 'succeeded', output: { approved: false, by: 'grace' } });
    expect(state.nodes.refund!.status).toBe('succeeded');
    expect(state.nodes.ship!.status).toBe('skipped');
  });

  it('refuses a decision before the node waits', async () => {
    //  start ─▶ pause(1h) ─▶ ask
    const def = graph()
      .trigger()
      .node('pause', 'delay', { duration: '1h' })
      .node('ask', 'approval')
      .set('done', 1)
      .chain('start', 'pause', 'ask')
      .edge('ask', 'done', 'approved')
      .build();
    const { state } = await runGraph(env, def, {
      during: async (handle) => {
        await expect(handle.executeUpdate(decisionUpdate, { args: [{ nodeId: 'ask', approved: true }] })).rejects.toMatchObject({
          cause: { type: DECISION_REFUSALS.notWaiting, message: expect.stringContaining('pending') },
        });
        await cancelAndSettle(handle);
      },
    });
    expect(state.status).toBe('canceled');
  });

  it('takes the timeout edge when nobody decides in time', async () => {
    const { state } = await runGraph(env, approvalGraph('2d'));
    expect(state.status).toBe('succeeded');
    expect(state.nodes.ask).toMatchObject({ status: 'succeeded', output: { timedOut: true } });
    expect(state.nodes.escalate!.status).toBe('succeeded');
    expect(state.nodes.ship!.status).toBe('skipped');
  });

  it('fails with WaitTimeout when it times out without a timeout edge', async () => {
    const { state, failure } = await runGraph(env, approvalGraph('1h', false));
    expect(state.status).toBe('failed');
    expect(state.nodes.ask).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.waitTimeout } });
    expect((failure as ApplicationFailure).type).toBe(FAILURE_TYPES.runFailed);
  });

  it('is canceled with the run while it waits', async () => {
    const { state } = await runGraph(env, approvalGraph(), {
      during: async (handle) => {
        await waitingNode(handle, 'ask');
        await cancelAndSettle(handle);
      },
    });
    expect(state.status).toBe('canceled');
    expect(state.nodes.ask!.status).toBe('canceled');
    expect(state.nodes.ship!.status).toBe('canceled');
  });
});

describe('wait', () => {
  //  start ─▶ shipped ─┬──────────▶ notify
  //                    └(timeout)─▶ chase
  const waitGraph = (timeout?: string) =>
    graph()
      .trigger()
      .node('shipped', 'wait', { event: 'order.shipped', ...(timeout ? { timeout } : {}) })
      .node('notify', 'set', { value: '{% "tracking " & $nodes.shipped.output.tracking %}' })
      .set('chase', 'chased')
      .edge('start', 'shipped')
      .edge('shipped', 'notify')
      .edge('shipped', 'chase', 'timeout')
      .build();

  it('the event body becomes the output and the plain edges are taken', async () => {
    const { state } = await runGraph(env, waitGraph('1d'), {
      during: async (handle) => {
        const waiting = await waitingNode(handle, 'shipped');
        expect(waiting.nodes.shipped!.waiting).toMatchObject({ kind: 'event', event: 'order.shipped' });
        await handle.signal(eventSignal, { name: 'something.else', payload: 1 });
        await handle.signal(eventSignal, { name: 'order.shipped', payload: { tracking: 'ZX9' } });
      },
    });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.shipped).toMatchObject({ status: 'succeeded', output: { tracking: 'ZX9' } });
    expect(state.nodes.notify!.output).toBe('tracking ZX9');
    expect(state.nodes.chase!.status).toBe('skipped');
  });

  it('keeps an event that arrives before the node waits', async () => {
    // start ─▶ pause(1h) ─▶ shipped ─▶ notify
    const def = graph()
      .trigger()
      .node('pause', 'delay', { duration: '1h' })
      .node('shipped', 'wait', { event: 'order.shipped' })
      .node('notify', 'set', { value: '{% $nodes.shipped.output.tracking %}' })
      .chain('start', 'pause', 'shipped', 'notify')
      .build();
    const { state } = await runGraph(env, def, {
      during: async (handle) => {
        await handle.signal(eventSignal, { name: 'order.shipped', payload: { tracking: 'EARLY' } });
      },
    });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.notify!.output).toBe('EARLY');
  });

  it('answers every node waiting for the same event with one delivery', async () => {
    const def = graph().trigger().node('a', 'wait', { event: 'go' }).node('b', 'wait', { event: 'go' }).edge('start', 'a').edge('start', 'b').build();
    const { state } = await runGraph(env, def, {
      during: async (handle) => {
        await waitingNode(handle, 'a');
        await waitingNode(handle, 'b');
        await handle.signal(eventSignal, { name: 'go', payload: 7 });
      },
    });
    expect([state.nodes.a!.output, state.nodes.b!.output]).toEqual([7, 7]);
  });

  it('takes the timeout edge on expiry, and fails without one', async () => {
    const timedOut = await runGraph(env, waitGraph('3h'));
    expect(timedOut.state.nodes.shipped!.output).toMatchObject({ timedOut: true });
    expect(timedOut.state.nodes.chase!.status).toBe('succeeded');
    expect(timedOut.state.nodes.notify!.status).toBe('skipped');

    const def = graph().trigger().node('w', 'wait', { event: 'never', timeout: '1m' }).edge('start', 'w').build();
    const failed = await runGraph(env, def);
    expect(failed.state.nodes.w).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.waitTimeout } });
  });

  it('is canceled with the run', async () => {
    const { state } = await runGraph(env, waitGraph(), {
      during: async (handle) => {
        await waitingNode(handle, 'shipped');
        await cancelAndSettle(handle);
      },
    });
    expect(state.status).toBe('canceled');
    expect(state.nodes.shipped!.status).toBe('canceled');
  });
});

describe('activity', () => {
  const call = (data: Record<string, unknown>, extra = {}) =>
    graph()
      .trigger()
      .node('call', 'activity', { taskQueue: otherQueue, ...data }, extra)
      .edge('start', 'call')
      .build();

  it("calls another worker's activity on its task queue with evaluated args; the result is the output", async () => {
    const { state } = await runGraph(env, call({ activityType: 'greet', args: '{% [$input.name, "?"] %}' }), { input: { name: 'Ada' } });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.call).toMatchObject({ status: 'succeeded', output: { greeting: 'hello Ada?' }, execution: 'activity' });
    expect(calls).toContainEqual(['Ada', '?']);
    expect(state.metrics.activityCount).toBe(1);
  });

  it("fails with the activity's failure (not retried when it says so), and onError applies", async () => {
    const def = graph()
      .trigger()
      .node('call', 'activity', { taskQueue: otherQueue, activityType: 'refuse', args: ['no stock'] }, { onError: 'continue' })
      .set('after', 'went on')
      .chain('start', 'call', 'after')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { type: 'Refused', message: 'refused: no stock' } });
    expect(state.nodes.after!.status).toBe('succeeded');
  });

  it('times out after the node timeout (start-to-close), retried per the node retry', async () => {
    const { state } = await runGraph(env, call({ activityType: 'slow' }, { timeout: '2s', retry: { maximumAttempts: 1 } }));
    expect(state.status).toBe('failed');
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { type: 'TimeoutFailure' } });
  });

  it('refuses args that are not an array', async () => {
    const { state } = await runGraph(env, call({ activityType: 'greet', args: '{% "Ada" %}' }));
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.invalidNodeData, message: expect.stringContaining('array') } });
  });

  it('is canceled with the run', async () => {
    const { state } = await runGraph(env, call({ activityType: 'slow' }, { timeout: '5m' }), {
      during: async (handle) => {
        await eventually(async () => ((await handle.query(stateQuery)).nodes.call?.status === 'running' ? true : undefined));
        await cancelAndSettle(handle);
      },
    });
    expect(state.status).toBe('canceled');
    expect(state.nodes.call!.status).toBe('canceled');
  });
});

describe('subworkflow', () => {
  const child = graph('child').trigger('in').node('double', 'set', { value: '{% $input.n * 2 %}' }).edge('in', 'double').build();

  it('runs an inline graph as a child run; its output is the output, and the child links back', async () => {
    const def = graph('parent')
      .trigger()
      .node('sub', 'subworkflow', { workflow: child, input: '{% { "n": $input.n } %}' })
      .node('after', 'set', { value: '{% $nodes.sub.output.double + 1 %}' })
      .chain('start', 'sub', 'after')
      .build();
    const { state, workflowId } = await runGraph(env, def, { input: { n: 20 } });
    expect(state.status).toBe('succeeded');
    const id = childRunId(workflowId, 'sub');
    expect(state.nodes.sub).toMatchObject({ status: 'succeeded', output: { double: 40 }, childRunId: id });
    expect(state.nodes.after!.output).toBe(41);
    const childRun = env.client.workflow.getHandle(id);
    expect(((await childRun.result()) as RunState).nodes.double!.output).toBe(40);
    expect((await childRun.describe()).memo).toMatchObject({ parentRunId: workflowId, parentNodeId: 'sub', name: 'child' });
  });

  it('runs a saved workflow by ref from the library the API resolved', async () => {
    const def = graph()
      .trigger()
      .node('sub', 'subworkflow', { ref: 'doubler', input: { n: 4 } })
      .edge('start', 'sub')
      .build();
    const { state } = await runGraph(env, def, { library: { doubler: { name: 'doubler', version: 'aaaaaaaaaaaaaaaa', definition: child } } });
    expect(state.nodes.sub!.output).toEqual({ double: 8 });

    const missing = await runGraph(env, def);
    expect(missing.state.nodes.sub).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.unknownWorkflowRef } });
  });

  it('fails when the child fails, naming the child and its failed nodes; onError applies', async () => {
    const failing = graph('failing').trigger('in').node('boom', 'set', { value: '{% $error("boom") %}' }).edge('in', 'boom').build();
    const def = graph()
      .trigger()
      .node('sub', 'subworkflow', { workflow: failing }, { onError: 'branch' })
      .set('recover', 'recovered')
      .edge('start', 'sub')
      .edge('sub', 'recover', 'error')
      .build();
    const { state, workflowId } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    expect(state.nodes.sub).toMatchObject({
      status: 'failed',
      error: { type: FAILURE_TYPES.subworkflowFailed, details: { childRunId: childRunId(workflowId, 'sub'), failedNodes: ['boom'] } },
    });
    expect(state.nodes.recover!.status).toBe('succeeded');
  });

  // The timeout path runs on the dev server (test/e2e/language.test.ts): the
  // time-skipping server fails workflow tasks ("invalid history builder state")
  // when a child's execution timeout fires.

  it('canceling the parent cancels the child', async () => {
    const slow = graph('slow').trigger('in').node('pause', 'delay', { duration: '1d' }).edge('in', 'pause').build();
    const def = graph().trigger().node('sub', 'subworkflow', { workflow: slow }).edge('start', 'sub').build();
    let id = '';
    const { state } = await runGraph(env, def, {
      during: async (handle) => {
        id = childRunId(handle.workflowId, 'sub');
        await eventually(async () => ((await env.client.workflow.getHandle(id).query(stateQuery)).nodes.pause?.status === 'running' ? true : undefined));
        await cancelAndSettle(handle);
      },
    });
    expect(state.status).toBe('canceled');
    expect(state.nodes.sub!.status).toBe('canceled');
    expect((await env.client.workflow.getHandle(id).describe()).status.name).toBe('CANCELLED');
  });
});
