/**
 * Synchronous runs: `Prefer: wait=<seconds>` on POST /v1/runs and on a saved
 * workflow's runs, against a real Temporal dev server and worker. The answer
 * is the whole run when it ends in time, the usual "running" answer when it
 * does not, and a client that hangs up while waiting leaves the run to finish.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { runCreatedSchema, runSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import type { Served } from '../helpers/serve';
import { serveApp } from '../helpers/serve';
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let app: ReturnType<typeof createApp>;
let served: Served;
const taskQueue = uniqueId('sync-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
  });
  served = await serveApp(app);
});

afterAll(async () => {
  await served?.close();
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

const start = (body: unknown, prefer?: string, path = '/v1/runs') =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(prefer ? { prefer } : {}) }, body: JSON.stringify(body) });

const fanOut = () =>
  graph()
    .trigger()
    .http('a', `${target.url}/delay/50`)
    .http('b', `${target.url}/delay/80`)
    .node('join', 'merge')
    .edge('start', 'a')
    .edge('start', 'b')
    .edge('a', 'join')
    .edge('b', 'join')
    .build();

describe('Prefer: wait', () => {
  it('answers with the whole run once it ended: status, output, node states, metrics', async () => {
    const res = await start({ workflow: fanOut(), input: { order: 1 } }, 'wait=20');
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    expect(res.headers.get('vary')).toBe('Prefer');
    const run = runSchema.parse(await res.json());
    expect(res.headers.get('location')).toBe(`/v1/runs/${run.runId}`);
    expect(run.status).toBe('succeeded');
    // The output: each terminal node's output by its id; the join's is each branch's.
    expect(Object.keys((run.output as { join: object }).join).sort()).toEqual(['a', 'b']);
    expect(Object.values(run.nodes).map((n) => n.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(run.metrics.wallMs).toBeGreaterThanOrEqual(80);
  });

  it('answers with a failed run as it ended, its error included', async () => {
    const res = await start(
      {
        workflow: graph()
          .trigger()
          .http('bad', `${target.url}/status/500`, { retry: { maximumAttempts: 1 } })
          .edge('start', 'bad')
          .build(),
      },
      'wait=20',
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    const run = runSchema.parse(await res.json());
    expect(run.status).toBe('failed');
    expect(run.nodes.bad).toMatchObject({ status: 'failed', error: { type: 'HttpServerError' } });
    expect(run.error?.message).toMatch(/bad/);
  });

  it('answers "running" when the run outlives the wait, and the run goes on', async () => {
    const slow = graph().trigger().node('pause', 'delay', { duration: '3s' }).edge('start', 'pause').build();
    const t0 = Date.now();
    const res = await start({ workflow: slow }, 'wait=1');
    const waited = Date.now() - t0;
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBeNull();
    const created = runCreatedSchema.parse(await res.json());
    expect(waited).toBeGreaterThanOrEqual(1000);
    const finished = await eventually(async () => {
      const run = runSchema.parse(await (await app.request(`/v1/runs/${created.runId}`)).json());
      return run.status === 'running' ? undefined : run;
    }, 15_000);
    expect(finished.status).toBe('succeeded');
  });

  it('without the preference, or with wait=0, answers at once', async () => {
    for (const prefer of [undefined, 'wait=0', 'wait=soon']) {
      const res = await start({ workflow: graph().trigger().node('pause', 'delay', { duration: '2s' }).edge('start', 'pause').build() }, prefer);
      expect(res.status).toBe(201);
      expect(runCreatedSchema.parse(await res.json()).status).toBe('running');
    }
  });

  it('a client that hangs up while waiting ends only the wait: the run completes', async () => {
    const runId = uniqueId('sync-hangup');
    const abort = new AbortController();
    const waiting = fetch(`${served.url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=30' },
      body: JSON.stringify({ runId, workflow: graph().trigger().http('slow', `${target.url}/delay/1500`).edge('start', 'slow').build() }),
      signal: abort.signal,
    });
    // Hang up once the run exists.
    await eventually(async () => ((await app.request(`/v1/runs/${runId}`)).status === 200 ? true : undefined), 10_000);
    abort.abort();
    await expect(waiting).rejects.toThrow();
    const finished = await eventually(async () => {
      const run = runSchema.parse(await (await app.request(`/v1/runs/${runId}`)).json());
      return run.status === 'running' ? undefined : run;
    }, 15_000);
    expect(finished.status).toBe('succeeded');
    expect(finished.nodes.slow?.status).toBe('succeeded');
  });

  it("applies to a saved workflow's runs too", async () => {
    const name = uniqueId('sync-saved');
    const put = await app.request(`/v1/workflows/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fanOut()) });
    expect(put.status).toBe(201);
    const res = await start({ input: { n: 1 } }, 'wait=20', `/v1/workflows/${name}/runs`);
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    const run = runSchema.parse(await res.json());
    expect(run).toMatchObject({ status: 'succeeded', workflow: { name }, input: { n: 1 } });
  });
});

describe('webhook triggers with respond: "onFinish"', () => {
  const save = async (name: string, definition: unknown) => {
    const put = await app.request(`/v1/workflows/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status, await put.clone().text()).toBe(201);
  };
  const hook = (name: string, data: Record<string, unknown>, then: (g: ReturnType<typeof graph>) => ReturnType<typeof graph>) =>
    then(graph().node('hook', 'trigger', { kind: 'webhook', ...data })).build();

  it("answers the delivery with the run's output once it ended", async () => {
    const name = uniqueId('hook-finish');
    await save(
      name,
      hook(name, { respond: 'onFinish' }, (g) => g.set('reply', { received: '{% $input.body.order %}', ok: true }).edge('hook', 'reply')),
    );
    const res = await start({ order: 42 }, undefined, `/v1/hooks/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-braid-run-id')).toBeTruthy();
    expect(await res.json()).toEqual({ reply: { received: 42, ok: true } });
  });

  it('answers a problem when the run fails, and 202 when it outlives the timeout', async () => {
    const failing = uniqueId('hook-fails');
    await save(
      failing,
      hook(failing, { respond: 'onFinish' }, (g) => g.http('bad', `${target.url}/status/500`, { retry: { maximumAttempts: 1 } }).edge('hook', 'bad')),
    );
    const failed = await start({}, undefined, `/v1/hooks/${failing}`);
    expect(failed.status, await failed.clone().text()).toBe(500);
    expect(await failed.json()).toMatchObject({ type: '/problems/run-failed', status: 500, runStatus: 'failed', error: { type: 'RunFailed' } });

    const slow = uniqueId('hook-slow');
    await save(
      slow,
      hook(slow, { respond: 'onFinish', timeout: '1s' }, (g) => g.node('pause', 'delay', { duration: '3s' }).edge('hook', 'pause')),
    );
    const accepted = await start({}, undefined, `/v1/hooks/${slow}`);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ status: 'running', duplicate: false });
  });

  it('refuses a timeout without respond "onFinish", or past 60 s', async () => {
    for (const data of [{ timeout: '5s' }, { respond: 'onFinish', timeout: '2m' }, { kind: 'manual', respond: 'onFinish' }]) {
      const res = await app.request('/v1/workflows/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          graph()
            .node('hook', 'trigger', { kind: 'webhook', ...data })
            .build(),
        ),
      });
      expect(res.status, JSON.stringify(data)).toBe(422);
    }
  });
});
