/**
 * Saved workflows on the cluster: versions saved through one replica are
 * read and run through the other (one PostgreSQL database), a signed webhook
 * delivered to either replica starts one run per idempotency key, and a
 * schedule saved through both replicas starts one run per tick.
 */
import { braidSignature } from '../../src/api/webhook-verify';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/sse';
import { useCluster } from './context';
import { HOOK_SECRET } from './global-setup';

const ctx = useCluster();
/** A delivery's signature, `offsetS` seconds from now (a provider signs each retry anew, at its own time). */
const sign = (body: string, offsetS = 0) => braidSignature(HOOK_SECRET, body, Math.floor(Date.now() / 1000) + offsetS);

describe('saved workflows, webhooks and schedules on the cluster', () => {
  it('saves through API 1, reads and runs through API 2', async () => {
    const name = `cluster-saved-${Date.now()}`;
    const v1 = {
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'greet', type: 'set', data: { value: '{% "v1 " & $input.who %}' } },
      ],
      edges: [{ source: 'start', target: 'greet' }],
    };
    const v2 = { ...v1, nodes: [v1.nodes[0], { id: 'greet', type: 'set', data: { value: '{% "v2 " & $input.who %}' } }] };
    const first = await ctx.json(0, 'PUT', `/v1/workflows/${name}`, v1);
    expect(first.status).toBe(201);
    const second = await ctx.json(1, 'PUT', `/v1/workflows/${name}`, v2);
    expect(second.status).toBe(201);
    const again = await ctx.json(0, 'PUT', `/v1/workflows/${name}`, v2);
    expect(again).toMatchObject({ status: 200, body: { version: second.body.version, created: false } });

    const read = await ctx.json(1, 'GET', `/v1/workflows/${name}`);
    expect(read.body.versions.map((v: { version: string }) => v.version)).toEqual([second.body.version, first.body.version]);
    const latest = await ctx.json(1, 'POST', `/v1/workflows/${name}/runs`, { input: { who: 'ada' } });
    const old = await ctx.json(0, 'POST', `/v1/workflows/${name}/runs`, { input: { who: 'bob' }, version: first.body.version });
    expect((await ctx.finished(0, latest.body.runId)).nodes.greet.output).toBe('v2 ada');
    expect((await ctx.finished(1, old.body.runId)).nodes.greet.output).toBe('v1 bob');
    const listed = await eventually(async () => {
      const { body } = await ctx.json(0, 'GET', `/v1/runs?workflow=${name}`);
      return body.runs.length === 2 ? body.runs : undefined;
    });
    expect(listed.map((r: { runId: string }) => r.runId).sort()).toEqual([latest.body.runId, old.body.runId].sort());
  });

  it('a signed webhook starts one run per idempotency key, whichever replica gets it', async () => {
    const name = `cluster-hook-${Date.now()}`;
    const saved = await ctx.json(0, 'PUT', `/v1/workflows/${name}`, {
      nodes: [
        { id: 'shop', type: 'trigger', data: { kind: 'webhook', secret: 'CLUSTER_HOOK' } },
        { id: 'echo', type: 'set', data: { value: '{% $input.orderId %}' } },
      ],
      edges: [{ source: 'shop', target: 'echo' }],
    });
    expect(saved.status).toBe(201);
    const body = JSON.stringify({ orderId: 'A-17' });
    const deliver = (replica: 0 | 1, signature = sign(body)) =>
      fetch(`${ctx.apis[replica]}/v1/hooks/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-braid-signature': signature, 'idempotency-key': 'delivery-1' },
        body,
      });
    expect((await deliver(1, 't=1,v1=00')).status).toBe(404);
    const signature = sign(body);
    const first = await deliver(1, signature);
    expect(first.status).toBe(202);
    const { runId } = (await first.json()) as { runId: string };
    // The captured delivery replayed to the other replica: the signature was used (the replicas share Braid's database).
    expect((await deliver(0, signature)).status).toBe(404);
    // The sender's retry, signed anew a second later, with the same Idempotency-Key: the first run's answer.
    const retried = await deliver(0, sign(body, 1));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ runId, duplicate: true });
    expect((await ctx.finished(0, runId)).nodes.echo.output).toBe('A-17');
  });

  it('a schedule saved through both replicas starts one run per tick', async () => {
    const name = `cluster-tick-${Date.now()}`;
    const definition = {
      nodes: [
        { id: 'tick', type: 'trigger', data: { kind: 'schedule', every: '2s' } },
        { id: 'noop', type: 'set', data: { value: 1 } },
      ],
      edges: [{ source: 'tick', target: 'noop' }],
      settings: { scheduleOverlap: 'allowAll' },
    };
    expect((await ctx.json(0, 'PUT', `/v1/workflows/${name}`, definition)).status).toBe(201);
    expect((await ctx.json(1, 'PUT', `/v1/workflows/${name}`, definition)).status).toBe(200);
    const schedules = await ctx.json(1, 'GET', `/v1/workflows/${name}/schedules`);
    expect(schedules.body.schedules).toHaveLength(1);

    const runs = await eventually(
      async () => {
        const { body } = await ctx.json(0, 'GET', `/v1/runs?workflow=${name}&limit=100`);
        return body.runs.length >= 4 ? (body.runs as { runId: string }[]) : undefined;
      },
      60_000,
      500,
    );
    const { body: described } = await ctx.json(1, 'GET', `/v1/workflows/${name}/schedules`);
    expect((await ctx.json(0, 'DELETE', `/v1/workflows/${name}`)).status).toBe(204);
    // One run per 2 s tick: every run the schedule took has its own nominal tick time,
    // two seconds apart (when a run starts depends on the worker service's load; the tick does not).
    const taken = described.schedules[0].recentRuns as { runId: string; scheduledAt: string }[];
    expect(taken.length).toBeGreaterThanOrEqual(4);
    expect(new Set(taken.map((r) => r.runId)).size).toBe(taken.length);
    const ticks = taken.map((r) => Date.parse(r.scheduledAt)).sort((a, b) => a - b);
    for (const [i, t] of ticks.slice(1).entries()) expect((t - ticks[i]!) % 2_000).toBe(0);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(taken.map((r) => r.runId)).toEqual(expect.arrayContaining(runs.map((r) => r.runId)));
    for (const r of runs) expect((await ctx.finished(1, r.runId)).status).toBe('succeeded');
  });

  it('redrives in bulk through the other replica and shares cached outputs, the workers on PostgreSQL', async () => {
    const name = `cluster-redrive-${Date.now()}`;
    const tag = name;
    const saved = await ctx.json(0, 'PUT', `/v1/workflows/${name}`, {
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'rates', type: 'http', data: { url: `${ctx.target.url}/echo?t=${tag}-rates` }, cache: { ttl: '10m' } },
        { id: 'pay', type: 'http', data: { url: `${ctx.target.url}/flaky/${tag}-pay/1` }, retry: { maximumAttempts: 1 } },
      ],
      edges: [
        { source: 'start', target: 'rates' },
        { source: 'rates', target: 'pay' },
      ],
    });
    expect(saved.status).toBe(201);
    const run = await ctx.json(0, 'POST', `/v1/workflows/${name}/runs`, {});
    expect((await ctx.finished(0, run.body.runId)).status).toBe('failed');
    await eventually(async () => ((await ctx.json(1, 'GET', `/v1/runs?workflow=${name}&status=failed`)).body.runs.length === 1 ? true : undefined));
    const op = await ctx.json(1, 'POST', '/v1/runs/bulk', { action: 'redrive', filter: { workflow: name } });
    expect(op).toMatchObject({ status: 202, body: { matched: 1 } });
    const progress = await eventually(async () => {
      const { body } = await ctx.json(0, 'GET', op.body.links.self);
      return body.status === 'running' ? undefined : body;
    }, 60_000);
    expect(progress).toMatchObject({ status: 'succeeded', total: 1, done: 1, failed: 0, runIds: [`${run.body.runId}-r1`] });
    const redriven = await ctx.finished(1, `${run.body.runId}-r1`);
    expect(redriven.status).toBe('succeeded');
    expect(redriven.nodes.rates).toMatchObject({ reused: { runId: run.body.runId } });
    // A new run's cached node is answered from the database, whichever worker runs it.
    const third = await ctx.json(1, 'POST', `/v1/workflows/${name}/runs`, {});
    const ran = await ctx.finished(0, third.body.runId);
    expect(ran.nodes.rates).toMatchObject({ status: 'succeeded', cached: { runId: run.body.runId } });
    expect(ctx.target.requests.filter((r) => r.path.endsWith(`t=${tag}-rates`))).toHaveLength(1);
  }, 120_000);
});
