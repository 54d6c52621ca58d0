/**
 * The real API against a real Temporal dev server (the installed CLI) and a
 * real worker: start, watch, get, list, cancel, the CLI's view, readiness, and
 * Temporal going down and coming back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { problemSchema, runCreatedSchema, runListSchema, runSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import { locateBinary } from '../../src/temporal/binaries';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePortInRange } from '../../src/temporal/free-port';
import { createApiClient } from '../../src/temporal/connection';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually, readSse } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';
import { warmUp } from '../../src/temporal/warmup';

const run = promisify(execFile);

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let app: ReturnType<typeof createApp>;
const taskQueue = uniqueId('api-tq');
const name = uniqueId('e2e-flow');

const config = (overrides = {}) => ({
  namespace: 'default',
  taskQueue,
  temporalUiUrl: 'http://localhost:8233',
  maxBodyBytes: 1024 * 1024,
  rateLimitPerMinute: 0,
  ...overrides,
});

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({ client: env.client, config: config(), logger: silentLogger, watchIntervalMs: 100 });
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

const post = (path: string, body?: unknown) =>
  app.request(path, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

describe('the API on a real Temporal server', () => {
  it('is ready once a worker polls the task queue and has run its warm-up', async () => {
    const polling = await eventually(async () => {
      const r = await app.request('/readyz');
      const body = (await r.json()) as { checks: Record<string, { ok: boolean }> };
      return body.checks.worker?.ok ? { status: r.status, body } : undefined;
    });
    expect(polling.status).toBe(503);
    expect(polling.body.checks.warm).toMatchObject({ ok: false });
    await warmUp(env.client, taskQueue, worker.options.identity);
    const res = await eventually(async () => {
      const r = await app.request('/readyz');
      return r.status === 200 ? r : undefined;
    });
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { warm: { ok: true }, codecs: { ok: true } } });
    // An API that writes payloads the warm worker cannot read (here: with the claim check) is not ready, and says why.
    const mismatched = createApp({ client: env.client, config: config(), logger: silentLogger, claimCheck: true });
    const refused = await mismatched.request('/readyz');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { checks: { codecs: { ok: boolean; detail: string } } }).checks.codecs).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/PAYLOAD_STORE/),
    });
    // Warm-up runs are not Braid runs: the run list never shows them.
    const list = runListSchema.parse(await (await app.request('/v1/runs?limit=100')).json());
    expect(list.runs.some((r) => r.runId.startsWith('braid-warmup-'))).toBe(false);
  });

  it('starts a run, streams it to the end, reads it and lists it', async () => {
    // start ─▶ users (http) ─▶ count (set)
    const workflow = graph(name)
      .trigger()
      .http('users', `${target.url}/delay/200?t=e2e-users`)
      .set('count', '{% $nodes.users.output.body.ms %}')
      .chain('start', 'users', 'count')
      .build();
    const created = await post('/v1/runs', { workflow, input: { hello: 'world' } });
    expect(created.status).toBe(201);
    const { runId, links } = runCreatedSchema.parse(await created.json());
    expect(links.temporalUi).toMatch(new RegExp(`/namespaces/default/workflows/${runId}/[0-9a-f-]+/history$`));

    const events = await readSse(await app.request(`/v1/runs/${runId}/events`), (e) => e.event === 'run');
    const nodeEvents = events.filter((e) => e.event === 'node').map((e) => e.data as { nodeId: string; status: string });
    expect(nodeEvents).toContainEqual(expect.objectContaining({ nodeId: 'users', status: 'succeeded' }));
    expect(events.at(-1)).toMatchObject({ event: 'run', data: { status: 'succeeded' } });

    const got = runSchema.parse(await (await app.request(`/v1/runs/${runId}`)).json());
    expect(got).toMatchObject({ runId, name, status: 'succeeded', input: { hello: 'world' } });
    expect(got.nodes.users).toMatchObject({ status: 'succeeded', attempts: 1, output: { status: 200, body: { ms: 200 } } });
    expect(got.nodes.count!.output).toBe(200);
    expect(got.metrics.activityCount).toBe(1);
    expect(got.finishedAt).not.toBeNull();

    const listed = await eventually(async () => {
      const page = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${name}&status=succeeded`)).json());
      return page.runs.some((r) => r.runId === runId) ? page : undefined;
    });
    expect(listed.runs.every((r) => r.name === name && r.status === 'succeeded')).toBe(true);

    const { stdout } = await run(locateBinary('cli')!.path, ['workflow', 'list', '--address', env.address, '--query', `WorkflowId = '${runId}'`, '-o', 'json']);
    expect(JSON.parse(stdout)).toContainEqual(expect.objectContaining({ execution: expect.objectContaining({ workflowId: runId }) }));
  });

  it('pages through runs with a cursor', async () => {
    const workflow = graph(`${name}-paged`).trigger().build();
    for (let i = 0; i < 3; i++) expect((await post('/v1/runs', { workflow })).status).toBe(201);
    // visibility is eventually consistent: wait until all three are listed
    await eventually(async () => {
      const all = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${name}-paged&limit=10`)).json());
      return all.runs.length === 3 ? true : undefined;
    });
    const first = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${name}-paged&limit=2`)).json());
    expect(first.nextCursor).toBeTruthy();
    expect(first.runs).toHaveLength(2);
    const second = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${name}-paged&limit=2&cursor=${first.nextCursor}`)).json());
    expect(second.runs).toHaveLength(1);
    expect(new Set([...first.runs, ...second.runs].map((r) => r.runId)).size).toBe(3);
  });

  it('cancels a long run (its request is aborted), then answers 409', async () => {
    const workflow = graph(name).trigger().http('long', `${target.url}/delay/60000?t=e2e-cancel`).edge('start', 'long').build();
    const { runId } = runCreatedSchema.parse(await (await post('/v1/runs', { workflow })).json());
    await eventually(async () => (target.requests.some((r) => r.path.includes('e2e-cancel')) ? true : undefined));
    expect((await post(`/v1/runs/${runId}/cancel`)).status).toBe(202);
    const canceled = await eventually(async () => {
      const r = runSchema.parse(await (await app.request(`/v1/runs/${runId}`)).json());
      return r.status === 'canceled' ? r : undefined;
    });
    expect(canceled.nodes.long!.status).toBe('canceled');
    expect(target.requests.find((r) => r.path.includes('e2e-cancel'))!.aborted).toBe(true);
    const again = await post(`/v1/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
    expect(problemSchema.parse(await again.json()).detail).toContain('canceled');
  });

  it('reports a failed run with its failing node', async () => {
    const workflow = graph(name).trigger().http('missing', `${target.url}/status/404?t=e2e-fail`).edge('start', 'missing').build();
    const { runId } = runCreatedSchema.parse(await (await post('/v1/runs', { workflow })).json());
    const failed = await eventually(async () => {
      const r = runSchema.parse(await (await app.request(`/v1/runs/${runId}`)).json());
      return r.status === 'failed' ? r : undefined;
    });
    expect(failed.error).toMatchObject({ type: 'RunFailed', failedNodes: ['missing'] });
    expect(failed.nodes.missing).toMatchObject({ status: 'failed', error: { type: 'HttpClientError' } });
  });

  it('takes 100 runs started at once to a terminal state: none lost, none duplicated', async () => {
    const prefix = uniqueId('load');
    const workflow = graph(prefix).trigger().set('echo', '{% $input.i %}').edge('start', 'echo').build();
    const codes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => (await post('/v1/runs', { workflow, input: { i }, runId: `${prefix}-${i}` })).status),
    );
    expect(codes.every((c) => c === 201)).toBe(true);
    const listed = await eventually(
      async () => {
        const page = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${prefix}&status=succeeded&limit=1000`)).json());
        return page.runs.length >= 100 ? page : undefined;
      },
      60_000,
      500,
    );
    expect(listed.runs).toHaveLength(100);
    expect(new Set(listed.runs.map((r) => r.runId)).size).toBe(100);
  }, 90_000);

  it('answers 404 for a run that does not exist', async () => {
    expect((await app.request('/v1/runs/does-not-exist')).status).toBe(404);
  });
});

describe('Temporal down at the API', () => {
  it('answers 503 while Temporal is down and serves normally once it is up', async () => {
    // Below the OS's ephemeral range: the port stays unbound for seconds before the server takes it, and a
    // port the OS handed out could go to another test's server in the meantime.
    const port = await freePortInRange(21_000, 23_999);
    const client = createApiClient(`127.0.0.1:${port}`);
    const downApp = createApp({ client, config: config(), logger: silentLogger });
    const workflow = graph(name).trigger().build();
    const start = () => downApp.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });

    const down = await start();
    expect(down.status).toBe(503);
    expect(problemSchema.parse(await down.json()).type).toBe('/problems/temporal-unavailable');
    expect((await downApp.request('/v1/runs/any')).status).toBe(503);
    expect((await downApp.request('/readyz')).status).toBe(503);

    const server = await startDevServer({ cliPath: locateBinary('cli')!.path, port, ui: false });
    try {
      const up = await eventually(
        async () => {
          const res = await start();
          expect(res.status).not.toBe(500);
          return res.status === 201 ? res : undefined;
        },
        30_000,
        500,
      );
      const { runId } = runCreatedSchema.parse(await up.json());
      expect((await downApp.request(`/v1/runs/${runId}`)).status).toBe(200);
    } finally {
      await server.stop();
      await client.connection.close().catch(() => undefined);
    }
  });
});
