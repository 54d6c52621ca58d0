/**
 * Pause, resume and run deadlines through the API on a real dev server and
 * worker: the answers and refusals of the contract, the `paused` status in
 * the view, the list filter and the event stream (which stays open), the
 * audit log, the metrics and the CLI; a deadline cancels the request in
 * flight (the target sees it abort) and fails the run with RunTimedOut.
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { main } from '../../src/cli';
import { silentLogger } from '../../src/logger';
import { grpcError } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import type { Served } from '../helpers/serve';
import { serveApp } from '../helpers/serve';
import type { SseEvent } from '../helpers/sse';
import { eventually, readSse } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let app: ReturnType<typeof createApp>;
let served: Served;
const taskQueue = uniqueId('controls-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
    watchIntervalMs: 50,
  });
  served = await serveApp(app);
}, 60_000);

afterAll(async () => {
  await served?.close();
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

type Json = Record<string, unknown> & { status?: string; runId?: string };
async function send(method: string, path: string, body?: unknown, to: ReturnType<typeof createApp> = app): Promise<{ status: number; body: Json }> {
  const res = await to.request(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const run = (runId: string) => send('GET', `/v1/runs/${runId}`);

describe('pause and resume through the API', () => {
  it('holds a run, says so everywhere, and lets it go on', async () => {
    const tag = uniqueId('ctl');
    const workflow = graph('controlled')
      .trigger()
      .http('first', `${target.url}/delay/1500?t=${tag}-1`)
      .http('second', `${target.url}/delay/400?t=${tag}-2`)
      .chain('start', 'first', 'second')
      .build();
    const { body: started } = await send('POST', '/v1/runs', { workflow });
    const runId = started.runId!;
    await eventually(async () => (((await run(runId)).body.nodes as Record<string, { status: string }>).first?.status === 'running' ? true : undefined));
    const stream = await app.request(`/v1/runs/${runId}/events`);
    const events = readSse(stream, (e) => e.event === 'run' && (e.data as Json).status === 'succeeded');

    const paused = await send('POST', `/v1/runs/${runId}/pause`);
    expect(paused).toMatchObject({ status: 202, body: { runId, status: 'paused' } });
    // Listed as paused (visibility catches up within a moment), not as running.
    await eventually(async () => {
      const list = (await send('GET', '/v1/runs?status=paused&limit=100')).body.runs as { runId: string; status: string }[];
      return list.some((r) => r.runId === runId && r.status === 'paused') ? true : undefined;
    });
    expect(((await send('GET', '/v1/runs?status=running&limit=100')).body.runs as { runId: string }[]).some((r) => r.runId === runId)).toBe(false);
    // The first request ends while paused; the second does not start.
    await eventually(async () => (((await run(runId)).body.nodes as Record<string, { status: string }>).first?.status === 'succeeded' ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(target.requests.filter((r) => r.path.includes(`${tag}-2`))).toHaveLength(0);
    expect((await run(runId)).body.status).toBe('paused');
    expect(await (await app.request('/metrics')).text()).toMatch(/braid_runs_paused \d+/);

    // The CLI resumes it; resuming again is a 409.
    let out = '';
    const code = await main(['resume', runId], { env: { BRAID_URL: served.url }, out: (t) => (out += t), err: () => undefined });
    expect({ code, out }).toEqual({ code: 0, out: `${runId} running\n` });
    const again = await send('POST', `/v1/runs/${runId}/resume`);
    expect(again.status, JSON.stringify(again.body)).toBe(409);

    const seen = await events;
    const statuses = seen.filter((e: SseEvent) => e.event === 'run').map((e) => (e.data as Json).status);
    expect(statuses).toEqual(['paused', 'running', 'succeeded']);
    const final = (await run(runId)).body as Json & { metrics: { pausedMs: number; overheadMs: number; wallMs: number } };
    expect(final.metrics.pausedMs).toBeGreaterThan(400);
    expect(final.metrics.overheadMs).toBeLessThan(final.metrics.wallMs - final.metrics.pausedMs + 1);
    // A finished run: 409 for both.
    expect((await send('POST', `/v1/runs/${runId}/pause`)).status).toBe(409);
    expect((await send('POST', `/v1/runs/${runId}/resume`)).status).toBe(409);
    const audit = (await send('GET', `/v1/audit?limit=50`)).body.entries as { action: string; target: string }[];
    expect(audit.filter((e) => e.target === runId).map((e) => e.action)).toEqual(['run.resume', 'run.pause', 'run.start']);
    expect(await (await app.request('/metrics')).text()).toMatch(/braid_run_controls_total\{action="pause"\} 1/);
  }, 60_000);
});

/** env.client, except that every update is refused as Temporal refuses one while the run's workflow task is being retried. */
function refusingUpdates(client: Client): Client {
  const refused = grpcError(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.');
  const bound = <T extends object>(target: T, key: string | symbol) => {
    const value = Reflect.get(target, key) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  const handle = (h: object) => new Proxy(h, { get: (t, k) => (k === 'executeUpdate' ? () => Promise.reject(refused) : bound(t, k)) });
  const workflow = new Proxy(client.workflow, {
    get: (t, k) => (k === 'getHandle' ? (...args: Parameters<Client['workflow']['getHandle']>) => handle(t.getHandle(...args)) : bound(t, k)),
  });
  return new Proxy(client, { get: (t, k) => (k === 'workflow' ? workflow : bound(t, k)) });
}

describe('pause and resume while Temporal cannot take an update', () => {
  it('sends the ask as a signal the run applies when it runs again', async () => {
    const tag = uniqueId('sig');
    const refusing = createApp({
      client: refusingUpdates(env.client),
      config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
      logger: silentLogger,
    });
    const post = (path: string, body?: unknown) => send('POST', path, body, refusing);
    const workflow = graph('signalled')
      .trigger()
      .http('first', `${target.url}/delay/1200?t=${tag}-1`)
      .http('second', `${target.url}/delay/100?t=${tag}-2`)
      .chain('start', 'first', 'second')
      .build();
    const runId = (await post('/v1/runs', { workflow })).body.runId!;
    await eventually(async () => (((await run(runId)).body.nodes as Record<string, { status: string }>).first?.status === 'running' ? true : undefined));
    expect((await post(`/v1/runs/${runId}/pause`)).status).toBe(202);
    await eventually(async () => ((await run(runId)).body.status === 'paused' ? true : undefined));
    await eventually(async () => (((await run(runId)).body.nodes as Record<string, { status: string }>).first?.status === 'succeeded' ? true : undefined));
    await new Promise((r) => setTimeout(r, 400));
    expect(target.requests.filter((r) => r.path.includes(`${tag}-2`))).toHaveLength(0);
    expect((await post(`/v1/runs/${runId}/resume`)).status).toBe(202);
    const final = await eventually(async () => {
      const v = (await run(runId)).body;
      return v.status === 'succeeded' ? v : undefined;
    });
    expect((final.metrics as { pausedMs: number }).pausedMs).toBeGreaterThan(300);
    // A resume that no longer applies is let be: the run has ended, so it is a 409 as always.
    expect((await post(`/v1/runs/${runId}/resume`)).status).toBe(409);
  }, 60_000);
});

describe('a run deadline through the API', () => {
  it('cancels the request in flight and fails the run with RunTimedOut', async () => {
    const tag = uniqueId('deadline');
    const workflow = graph('late').trigger().http('slow', `${target.url}/delay/5000?t=${tag}`).edge('start', 'slow').with({ timeout: '1s' }).build();
    const { body } = await send('POST', '/v1/runs', { workflow });
    const final = await eventually(async () => {
      const r = (await run(body.runId!)).body;
      return r.status === 'failed' ? r : undefined;
    });
    expect(final).toMatchObject({
      error: { type: 'RunTimedOut', message: expect.stringContaining('canceled while running: slow') },
      nodes: { slow: { status: 'canceled' } },
    });
    await eventually(async () => (target.requests.find((r) => r.path.includes(tag))?.aborted ? true : undefined));
    expect(await (await app.request('/metrics')).text()).toMatch(/braid_run_deadlines_total\{workflow="adhoc"\} 1/);
  }, 60_000);
});
