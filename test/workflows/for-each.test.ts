/**
 * forEach on the time-skipping server: item order, `$item`/`$index`, batches,
 * failures (fail fast, tolerated share), refs. Timeout, cancellation and
 * progress run on the dev server (test/e2e/language.test.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { childRunId } from '../../src/graph/run-state';
import { graph } from '../helpers/graphs';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** The body: one node that computes from the item. */
const body = (value: unknown) => graph('body').trigger('in').node('out', 'set', { value }).edge('in', 'out').build();
const loop = (data: Record<string, unknown>, extra = {}) => graph('loop').trigger().node('each', 'forEach', data, extra).edge('start', 'each').build();

describe('forEach', () => {
  it('runs the body once per item, in item order, with $item, $index and $input', async () => {
    const def = loop({ items: '{% $input.orders %}', body: body({ id: '{% $item.id %}', at: '{% $index %}', same: '{% $input.id = $item.id %}' }) });
    const { state, workflowId } = await runGraph(env, def, { input: { orders: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.each).toMatchObject({
      status: 'succeeded',
      output: [{ out: { id: 'a', at: 0, same: true } }, { out: { id: 'b', at: 1, same: true } }, { out: { id: 'c', at: 2, same: true } }],
      progress: { done: 3, failed: 0, total: 3 },
    });
    // Items run inside their batch child: no workflow of their own.
    const batch = await env.client.workflow.getHandle(`${childRunId(workflowId, 'each')}/batch-0`).describe();
    expect(batch.type).toBe('forEachBatchWorkflow');
    await expect(env.client.workflow.getHandle(`${childRunId(workflowId, 'each')}/batch-0/1`).describe()).rejects.toThrow();
  });

  it("hands the run's claim check to every item, and on to what an item starts", async () => {
    // Each item runs a subworkflow: it must keep whole outputs and the larger budgets, as the run does.
    const inner = graph('inner').trigger('in').node('v', 'set', { value: '{% $input %}' }).edge('in', 'v').build();
    const def = loop({
      items: [1, 2],
      body: graph('body').trigger('in').node('sub', 'subworkflow', { workflow: inner, input: '{% $item %}' }).edge('in', 'sub').build(),
    });
    const { state, workflowId } = await runGraph(env, def, { claimCheck: true });
    expect(state.status).toBe('succeeded');
    const batchId = `${childRunId(workflowId, 'each')}/batch-0`;
    const inputOf = async (id: string) => {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      const [args] = await decodeArrayFromPayloads(
        env.client.options.loadedDataConverter,
        history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads,
      );
      return args as { claimCheck?: boolean };
    };
    expect((await inputOf(batchId)).claimCheck).toBe(true);
    expect((await inputOf(childRunId(`${batchId}/1`, 'sub'))).claimCheck).toBe(true);
  });

  it('spreads a long list over several batches and keeps the order', async () => {
    const items = Array.from({ length: 1_100 }, (_, i) => i);
    const def = loop({ items, maxConcurrency: 100, body: body('{% $item * 2 %}') });
    const { state, workflowId } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    expect((state.nodes.each!.output as { out: number }[]).map((o) => o.out)).toEqual(items.map((i) => i * 2));
    expect(state.nodes.each!.progress).toEqual({ done: 1_100, failed: 0, total: 1_100 });
    const batch = await env.client.workflow.getHandle(`${childRunId(workflowId, 'each')}/batch-2`).describe();
    expect(batch.type).toBe('forEachBatchWorkflow');
  });

  it('an empty list succeeds at once with an empty output', async () => {
    const { state } = await runGraph(env, loop({ items: [], body: body(1) }));
    expect(state.nodes.each).toMatchObject({ status: 'succeeded', output: [], progress: { done: 0, failed: 0, total: 0 } });
  });

  it('fails on the first failed item by default, naming it; onError applies', async () => {
    const def = graph('loop')
      .trigger()
      .node('each', 'forEach', { items: [1, 2, 0, 4], body: body('{% $item = 0 ? $error("zero") : 10 / $item %}') }, { onError: 'continue' })
      .set('after', 'went on')
      .chain('start', 'each', 'after')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.each).toMatchObject({
      status: 'failed',
      error: { type: FAILURE_TYPES.forEachItemFailed, message: expect.stringContaining('item 2 failed'), details: { index: 2 } },
    });
    expect(state.nodes.after!.status).toBe('succeeded');
  });

  it('with a tolerated share of failures, reports each item and fails only past it', async () => {
    const failing = body('{% $item = 0 ? $error("zero") : $item %}');
    const within = await runGraph(env, loop({ items: [1, 0, 3, 4], body: failing, toleratedFailurePercentage: 25 }));
    expect(within.state.nodes.each).toMatchObject({ status: 'succeeded', progress: { done: 4, failed: 1, total: 4 } });
    expect(within.state.nodes.each!.output).toEqual([
      { index: 0, status: 'succeeded', output: { out: 1 } },
      { index: 1, status: 'failed', error: expect.objectContaining({ message: expect.stringContaining('zero') }) },
      { index: 2, status: 'succeeded', output: { out: 3 } },
      { index: 3, status: 'succeeded', output: { out: 4 } },
    ]);
    const past = await runGraph(env, loop({ items: [1, 0, 0, 4], body: failing, toleratedFailurePercentage: 25 }));
    expect(past.state.nodes.each).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.forEachItemFailed, details: { failed: 2, total: 4 } } });
  });

  // The timeout path and cancellation with progress run on the dev server
  // (test/e2e/language.test.ts): the time-skipping server, loaded, fails
  // workflow tasks ("invalid history builder state") when a timer cancels a
  // batch child, and once left a canceled run with 1-day timers running.

  it('runs a saved body by ref, and refuses items that are not a list', async () => {
    const library = { doubler: { name: 'doubler', version: 'bbbbbbbbbbbbbbbb', definition: body('{% $item * 2 %}') } };
    const { state } = await runGraph(env, loop({ items: [5], ref: 'doubler' }), { library });
    expect(state.nodes.each!.output).toEqual([{ out: 10 }]);
    const bad = await runGraph(env, loop({ items: '{% "nope" %}', body: body(1) }));
    expect(bad.state.nodes.each).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.invalidNodeData } });
  });
});
