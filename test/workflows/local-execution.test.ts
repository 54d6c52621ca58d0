/**
 * `execution: "local"` on the time-skipping server: the same node semantics as
 * remote activities (retries, attempts, failFast cancellation, SSRF), recorded
 * as markers instead of activity events; and the run's timing metrics.
 */
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { graph } from '../helpers/graphs';
import { cancelAndSettle, runGraph } from '../helpers/run-graph';
import { testActivities, useTimeSkippingWithTarget } from '../helpers/temporal';
import { changesQuery } from '../../workflows';

const ctx = useTimeSkippingWithTarget();
const url = (path: string) => `${ctx.target.url}${path}`;
const requestsTo = (prefix: string) => ctx.target.requests.filter((r) => r.path.startsWith(prefix));

const { EventType } = temporal.api.enums.v1;

async function eventTypes(workflowId: string): Promise<string[]> {
  const history = await ctx.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => EventType[e.eventType ?? 0] ?? '');
}

describe('local execution', () => {
  it('runs a local fan-out in parallel with no activity events, only markers', async () => {
    //          ┌─▶ a
    // start ───┼─▶ b      settings.execution: "local"
    //          └─▶ c
    const b = graph().trigger().with({ execution: 'local' });
    for (const id of ['a', 'b', 'c']) b.http(id, url(`/delay/200?t=local-${id}`)).edge('start', id);
    const { state, workflowId } = await runGraph(ctx.env, b.build());
    expect(state.status).toBe('succeeded');
    const rs = requestsTo('/delay/200?t=local-');
    expect(rs).toHaveLength(3);
    expect(Math.max(...rs.map((r) => r.startTick))).toBeLessThan(Math.min(...rs.map((r) => r.endTick!)));
    for (const id of ['a', 'b', 'c']) expect(state.nodes[id]).toMatchObject({ status: 'succeeded', execution: 'local', attempts: 1 });
    const types = await eventTypes(workflowId);
    expect(types.filter((t) => t.includes('ACTIVITY'))).toEqual([]);
    expect(types.filter((t) => t === 'EVENT_TYPE_MARKER_RECORDED').length).toBeGreaterThanOrEqual(3);
  });

  it('retries a flaky local node and reports its attempts', async () => {
    const def = graph()
      .trigger()
      .http('flaky', url('/flaky/local-three/2'), { execution: 'local', retry: { maximumAttempts: 5, initialInterval: '100ms', backoffCoefficient: 1 } })
      .edge('start', 'flaky')
      .build();
    const { state } = await runGraph(ctx.env, def);
    expect(state.nodes.flaky).toMatchObject({ status: 'succeeded', attempts: 3, execution: 'local', output: { body: { attempt: 3 } } });
    expect(ctx.target.count('/flaky/local-three/')).toBe(3);
  });

  it('does not retry a 404 locally', async () => {
    const def = graph().trigger().http('missing', url('/status/404?t=local-404'), { execution: 'local' }).edge('start', 'missing').build();
    const { state } = await runGraph(ctx.env, def);
    expect(state.nodes.missing).toMatchObject({ status: 'failed', attempts: 1, error: { type: FAILURE_TYPES.httpClientError, retryable: false } });
    expect(requestsTo('/status/404?t=local-404')).toHaveLength(1);
  });

  it('fails fast: a local failure cancels a slow local sibling and aborts its request', async () => {
    const def = graph()
      .trigger()
      .with({ execution: 'local' })
      .http('bad', url('/status/400?t=lff-bad'))
      .http('slow', url('/delay/20000?t=lff-slow'))
      .edge('start', 'bad')
      .edge('start', 'slow')
      .build();
    const { state } = await runGraph(ctx.env, def);
    expect(state.nodes).toMatchObject({ bad: { status: 'failed' }, slow: { status: 'canceled' } });
    expect(requestsTo('/delay/20000?t=lff-slow')[0]!.aborted).toBe(true);
  });

  it("caps a local node's response at 256 KiB", async () => {
    const def = graph().trigger().http('big', url('/big/300000?t=local-big'), { execution: 'local' }).edge('start', 'big').build();
    const { state } = await runGraph(ctx.env, def);
    expect(state.nodes.big).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.responseTooLarge, retryable: false } });
  });

  it('keeps SSRF rules: a local node cannot reach a private address that is not allowed', async () => {
    const def = graph().trigger().http('meta', 'http://169.254.169.254/latest/meta-data', { execution: 'local' }).edge('start', 'meta').build();
    const { state } = await runGraph(ctx.env, def, { activities: testActivities({ httpAllowlist: [] }) });
    expect(state.nodes.meta).toMatchObject({ status: 'failed', attempts: 1, error: { type: FAILURE_TYPES.forbiddenAddress, retryable: false } });
  });
});

describe('timing metrics', () => {
  it('reports queuedMs and runMs per node, and workMs from runMs along the critical path', async () => {
    // start ─▶ a (300 ms) ─▶ b (200 ms)
    //    └───▶ c (100 ms)
    const def = graph()
      .trigger()
      .http('a', url('/delay/300?t=m-a'))
      .http('b', url('/delay/200?t=m-b'))
      .http('c', url('/delay/100?t=m-c'))
      .chain('start', 'a', 'b')
      .edge('start', 'c')
      .build();
    const { state } = await runGraph(ctx.env, def);
    for (const id of ['a', 'b', 'c']) {
      expect(state.nodes[id]!.queuedMs).toBeGreaterThanOrEqual(0);
      expect(state.nodes[id]!.execution).toBe('activity');
    }
    expect(state.nodes.a!.runMs).toBeGreaterThanOrEqual(300);
    expect(state.nodes.b!.runMs).toBeGreaterThanOrEqual(200);
    expect(state.nodes.start).toMatchObject({ runMs: 0, execution: 'workflow' });
    const { workMs, wallMs, overheadMs, efficiency } = state.metrics;
    expect(workMs).toBe(state.nodes.a!.runMs! + state.nodes.b!.runMs!);
    expect(overheadMs).toBe(wallMs - workMs);
    expect(efficiency).toBeCloseTo(workMs / wallMs, 2);
  });

  it('counts a delay as work', async () => {
    const def = graph().trigger().node('wait', 'delay', { duration: '2h' }).edge('start', 'wait').build();
    const { state } = await runGraph(ctx.env, def);
    expect(state.nodes.wait).toMatchObject({ runMs: 7_200_000 });
    expect(state.metrics.workMs).toBe(7_200_000);
  });
});

describe('the changes query', () => {
  it('answers every node at version 0, then only the nodes changed since a version', async () => {
    const def = graph().trigger().http('slow', url('/delay/60000?t=changes')).set('after', 1).chain('start', 'slow', 'after').build();
    const seen: { full: boolean; ids: string[]; status: string }[] = [];
    await runGraph(ctx.env, def, {
      during: async (handle) => {
        let first;
        for (let i = 0; i < 200; i++) {
          first = await handle.query(changesQuery, 0);
          if (first.state.nodes.slow?.status === 'running') break;
          await new Promise((r) => setTimeout(r, 50));
        }
        seen.push({ full: first!.full, ids: Object.keys(first!.state.nodes), status: first!.state.status });
        const again = await handle.query(changesQuery, first!.version);
        seen.push({ full: again.full, ids: Object.keys(again.state.nodes), status: again.state.status });
        const older = await handle.query(changesQuery, 1);
        seen.push({ full: older.full, ids: Object.keys(older.state.nodes).sort(), status: older.state.status });
        await cancelAndSettle(handle);
      },
    });
    expect(seen).toEqual([
      { full: true, ids: ['start', 'slow', 'after'], status: 'running' },
      { full: false, ids: [], status: 'running' },
      { full: false, ids: ['slow', 'start'], status: 'running' },
    ]);
  });
});
