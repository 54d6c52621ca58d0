/**
 * Every node type on the cluster, across replicas: a run started through
 * API 1 is watched (SSE), decided (approval) and sent its event (wait)
 * through API 2, and both replicas read the same final state.
 *
 *            ┌─ fetch (http) ─ cond ─true─ yes ─┐
 *            ├─ sw (switch) ─big─ bigSet ───────┼─ join (merge all)
 *            │              └default─ smallSet ─┘
 *   start ───┼─ pause (delay 1s)
 *            ├─ review (approval) ─approved─ ok
 *            ├─ parcel (wait "parcel.returned")
 *            ├─ hash (activity sha256) · slug (custom slugify)
 *            └─ child (subworkflow) · each (forEach of 3)
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readSse } from '../helpers/sse';
import { eventually } from '../helpers/sse';
import { useCluster } from './context';

const ctx = useCluster();

function graph(target: string) {
  return {
    name: 'cluster-every-type',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'fetch', type: 'http', data: { method: 'GET', url: `${target}/delay/20` } },
      { id: 'cond', type: 'condition', data: { expression: '{% $nodes.fetch.output.status = 200 %}' } },
      { id: 'yes', type: 'set', data: { value: 'fetched' } },
      { id: 'sw', type: 'switch', data: { cases: [{ handle: 'big', expression: '{% $input.n > 5 %}' }] } },
      { id: 'bigSet', type: 'set', data: { value: '{% $input.n %}' } },
      { id: 'smallSet', type: 'set', data: { value: 'small' } },
      { id: 'join', type: 'merge', data: { mode: 'all' } },
      { id: 'pause', type: 'delay', data: { duration: '1s' } },
      { id: 'review', type: 'approval', data: { prompt: 'Ship it?' } },
      { id: 'ok', type: 'set', data: { value: '{% $nodes.review.output.by %}' } },
      { id: 'parcel', type: 'wait', data: { event: 'parcel.returned' } },
      { id: 'hash', type: 'activity', data: { activityType: 'sha256', args: [{ data: { text: 'braid' } }] } },
      { id: 'slug', type: 'slugify', data: { text: '{% $input.title %}' } },
      {
        id: 'child',
        type: 'subworkflow',
        data: {
          workflow: {
            name: 'cluster-child',
            nodes: [
              { id: 'start', type: 'trigger' },
              { id: 'get', type: 'http', data: { method: 'GET', url: `${target}/delay/5` } },
            ],
            edges: [{ source: 'start', target: 'get' }],
          },
        },
      },
      {
        id: 'each',
        type: 'forEach',
        data: {
          items: [1, 2, 3],
          body: {
            name: 'double',
            nodes: [
              { id: 'start', type: 'trigger' },
              { id: 'twice', type: 'set', data: { value: '{% $item * 2 %}' } },
            ],
            edges: [{ source: 'start', target: 'twice' }],
          },
        },
      },
    ],
    edges: [
      { source: 'start', target: 'fetch' },
      { source: 'fetch', target: 'cond' },
      { source: 'cond', target: 'yes', sourceHandle: 'true' },
      { source: 'start', target: 'sw' },
      { source: 'sw', target: 'bigSet', sourceHandle: 'big' },
      { source: 'sw', target: 'smallSet', sourceHandle: 'default' },
      { source: 'yes', target: 'join' },
      { source: 'bigSet', target: 'join' },
      { source: 'smallSet', target: 'join' },
      { source: 'start', target: 'pause' },
      { source: 'start', target: 'review' },
      { source: 'review', target: 'ok', sourceHandle: 'approved' },
      { source: 'start', target: 'parcel' },
      { source: 'start', target: 'hash' },
      { source: 'start', target: 'slug' },
      { source: 'start', target: 'child' },
      { source: 'start', target: 'each' },
    ],
  };
}

describe('every node type on the cluster, across two API replicas', () => {
  it('runs through API 1 and is watched, decided and sent events through API 2', async () => {
    const started = await ctx.json(0, 'POST', '/v1/runs', { workflow: graph(ctx.target.url), input: { n: 9, title: 'Hello Cluster World' } });
    expect(started.status).toBe(201);
    const runId: string = started.body.runId;

    const stream = await ctx.call(1, 'GET', `/v1/runs/${runId}/events`);
    expect(stream.status).toBe(200);
    const events = readSse(stream, (e) => e.event === 'run');

    // The approval waits; decide it through the other replica.
    await eventually(async () => {
      const { body } = await ctx.json(1, 'GET', `/v1/runs/${runId}`);
      return body.nodes.review.status === 'waiting' ? true : undefined;
    }, 60_000);
    // Who decided comes from the credential: a `by` in the body is refused.
    expect((await ctx.json(0, 'POST', `/v1/runs/${runId}/nodes/review/decision`, { approved: true, by: 'grace' })).status).toBe(422);
    const decision = await ctx.json(1, 'POST', `/v1/runs/${runId}/nodes/review/decision`, { approved: true });
    expect(decision.status).toBe(200);
    const event = await ctx.call(1, 'POST', `/v1/runs/${runId}/events/parcel.returned`, { tracking: 'ZX9' });
    expect(event.status).toBe(202);

    const seen = await events;
    const final = seen.at(-1)!;
    expect(final.event).toBe('run');
    expect((final.data as { status: string }).status).toBe('succeeded');
    const nodeEvents = seen.filter((e) => e.event === 'node').map((e) => e.data as { nodeId: string; status: string });
    expect(new Set(nodeEvents.filter((n) => n.status === 'succeeded').map((n) => n.nodeId))).toEqual(
      new Set(['start', 'fetch', 'cond', 'yes', 'sw', 'bigSet', 'join', 'pause', 'review', 'ok', 'parcel', 'hash', 'slug', 'child', 'each']),
    );

    const [one, two] = await Promise.all([ctx.finished(0, runId), ctx.finished(1, runId)]);
    expect(two).toEqual(one);
    const nodes = one.nodes;
    expect(nodes.smallSet.status).toBe('skipped');
    expect(nodes.fetch.output.status).toBe(200);
    expect(nodes.bigSet.output).toBe(9);
    expect(nodes.ok.output).toBe('api-token');
    expect(nodes.parcel.output).toEqual({ tracking: 'ZX9' });
    expect(nodes.hash.output).toEqual({ sha256: createHash('sha256').update('braid').digest('hex') });
    expect(nodes.slug.output).toEqual({ slug: 'hello-cluster-world' });
    expect(nodes.pause.output.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(nodes.child.childRunId).toBe(`${runId}.child`);
    expect(JSON.stringify(nodes.each.output)).toBe(JSON.stringify([{ twice: 2 }, { twice: 4 }, { twice: 6 }]));
    const child = await ctx.json(1, 'GET', `/v1/runs/${encodeURIComponent(`${runId}.child`)}`);
    expect(child.body.parent).toMatchObject({ runId, nodeId: 'child' });
    expect(child.body.nodes.get.output.status).toBe(200);
  });

  it('cancels through API 2 a run started through API 1', async () => {
    const started = await ctx.json(0, 'POST', '/v1/runs', {
      workflow: {
        name: 'cluster-cancel',
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'slow', type: 'http', data: { method: 'GET', url: `${ctx.target.url}/delay/60000` } },
        ],
        edges: [{ source: 'start', target: 'slow' }],
      },
    });
    const runId: string = started.body.runId;
    await eventually(async () => ((await ctx.json(1, 'GET', `/v1/runs/${runId}`)).body.nodes.slow.status === 'running' ? true : undefined), 60_000);
    expect((await ctx.call(1, 'POST', `/v1/runs/${runId}/cancel`)).status).toBe(202);
    const run = await ctx.finished(0, runId);
    expect(run.status).toBe('canceled');
    expect(run.nodes.slow.status).toBe('canceled');
    // The request in flight was aborted by the cancellation.
    await eventually(async () => (ctx.target.requests.find((r) => r.path === '/delay/60000')?.aborted ? true : undefined), 30_000);
  });
});
