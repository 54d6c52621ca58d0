/** Every endpoint and error of the API, through `app.request()` with a fake run store. */
import type { Client } from '@temporalio/client';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { runPriority } from '../../src/runs/run-store';
import { cancelAcceptedSchema, problemSchema, runCreatedSchema, runListSchema, runSchema, validateOkSchema } from '../../src/api/schemas';
import type { AppDeps, ReadinessReport } from '../../src/api/types';
import { createLogger } from '../../src/logger';
import { createFakeRunStore, grpcError } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';

const validWorkflow = () => graph('orders').trigger().http('users', 'https://api.example.com/users').edge('start', 'users').build();

function setup(overrides: Partial<AppDeps['config']> = {}, readiness?: () => Promise<ReadinessReport>) {
  const fake = createFakeRunStore();
  const logs: Record<string, unknown>[] = [];
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 600,
      ...overrides,
    },
    logger: createLogger('info', {}, (line) => logs.push(JSON.parse(line))),
    runStore: fake.store,
    readiness: readiness ?? (async () => ({ ready: true, checks: { temporal: { ok: true }, worker: { ok: true } } })),
    watchIntervalMs: 5,
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, fake, logs, post };
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = problemSchema.parse(await res.json());
  expect(problem.status).toBe(status);
  expect(problem.requestId).toBe(res.headers.get('x-request-id'));
  return problem;
}

describe('POST /v1/runs', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('starts a run and answers 201 with its links', async () => {
    const res = await t.post('/v1/runs', { workflow: validWorkflow(), input: { a: 1 } });
    expect(res.status).toBe(201);
    const body = runCreatedSchema.parse(await res.json());
    expect(body.runId).toMatch(/^orders-[0-9a-f-]{36}$/);
    expect(body.links.self).toBe(`/v1/runs/${body.runId}`);
    expect(res.headers.get('location')).toBe(body.links.self);
    expect(t.fake.started[0]).toMatchObject({ name: 'orders', input: { a: 1 } });
  });

  it("uses the client's runId and answers 409 when it is taken", async () => {
    expect((await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'order-42' })).status).toBe(201);
    const problem = await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'order-42' }), 409);
    expect(problem.detail).toContain('order-42');
    expect((problem as { links?: { self: string } }).links?.self).toBe('/v1/runs/order-42');
  });

  it.each(['has space', 'x'.repeat(129), '-leading', 'a/b'])('rejects the runId %j with 422', async (runId) => {
    const problem = await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow(), runId }), 422);
    expect(problem.errors?.map((e) => e.path)).toContain('$.runId');
  });

  it("takes a run's priority (1–5) and gives it, with the run's project as fairness key, to Temporal", async () => {
    expect((await t.post('/v1/runs', { workflow: validWorkflow(), priority: 1 })).status).toBe(201);
    expect(t.fake.started[0]).toMatchObject({ priority: 1 });
    expect(runPriority({ definition: validWorkflow(), priority: 1 })).toEqual({ priorityKey: 1, fairnessKey: 'default' });
    expect(runPriority({ definition: validWorkflow(), project: 'acme' })).toEqual({ fairnessKey: 'acme' });
    const tuned = { ...validWorkflow(), settings: { priority: 4, fairnessKey: 'tenant-a', fairnessWeight: 2 } };
    // A key of the run's own is taken inside its project: no project can take another's share.
    expect(runPriority({ definition: tuned, project: 'acme' })).toEqual({ priorityKey: 4, fairnessKey: 'acme/tenant-a', fairnessWeight: 2 });
    for (const priority of [0, 6, 2.5]) {
      const problem = await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow(), priority }), 422);
      expect(problem.errors?.map((e) => e.path)).toContain('$.priority');
    }
    const badSetting = await expectProblem(await t.post('/v1/runs', { workflow: { ...validWorkflow(), settings: { priority: 9 } } }), 422);
    expect(badSetting.errors?.map((e) => e.path)).toContain('$.workflow.settings.priority');
  });

  it('lists every definition error with its path under $.workflow', async () => {
    const workflow = graph().trigger().node('x', 'htp').http('h', 'nope').edge('start', 'ghost').build();
    const problem = await expectProblem(await t.post('/v1/runs', { workflow }), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['$.workflow.nodes[1].type', '$.workflow.nodes[2].data.url', '$.workflow.edges[0].target']),
    );
    expect(t.fake.started).toHaveLength(0);
  });

  it('reports graph errors even when the shape is wrong too', async () => {
    const problem = await expectProblem(
      await t.post('/v1/runs', {
        workflow: {
          nodes: [
            { id: 'a b', type: 'trigger' },
            { id: 'c', type: 'nope' },
          ],
        },
      }),
      422,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['$.workflow.nodes[0].id', '$.workflow.nodes[1].type']));
  });

  it("refuses an activity node that calls Braid's own activities or one off ACTIVITY_ALLOWLIST, naming the field", async () => {
    const calling = (activityType: string, taskQueue?: string) =>
      graph('poison')
        .trigger()
        .node('a', 'activity', {
          activityType,
          ...(taskQueue ? { taskQueue } : {}),
          args: [{ material: { key: 'x' }, output: { poisoned: true }, runId: 'r', ttlMs: 60_000 }],
        })
        .edge('start', 'a')
        .build();
    const internal = await expectProblem(await t.post('/v1/runs', { workflow: calling('nodeCachePut') }), 422);
    expect(internal.errors).toEqual([{ path: '$.workflow.nodes[1].data.activityType', message: expect.stringContaining("Braid's own activities") }]);
    const unlisted = await expectProblem(await t.post('/v1/runs', { workflow: calling('reserveStock', 'inventory') }), 422);
    expect(unlisted.errors).toEqual([{ path: '$.workflow.nodes[1].data.activityType', message: expect.stringContaining('ACTIVITY_ALLOWLIST') }]);
    expect(t.fake.started).toHaveLength(0);
    const allowed = setup({ activityAllowlist: ['inventory:reserveStock'] });
    expect((await allowed.post('/v1/runs', { workflow: calling('reserveStock', 'inventory') })).status).toBe(201);
  });

  it('rejects a trigger that is not a trigger node', async () => {
    const problem = await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow(), trigger: 'users' }), 422);
    expect(problem.errors).toEqual([{ path: '$.trigger', message: expect.stringContaining('not a trigger') }]);
  });

  it('answers 400 to malformed JSON', async () => {
    const problem = await expectProblem(await t.post('/v1/runs', '{"workflow": '), 400);
    expect(problem.type).toBe('/problems/malformed-json');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await t.app.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    await expectProblem(res, 415);
  });

  it('answers 413 past MAX_BODY_BYTES', async () => {
    const big = { workflow: validWorkflow(), input: 'x'.repeat(70 * 1024) };
    await expectProblem(await t.post('/v1/runs', big), 413);
  });

  it('answers 503, never 500, while Temporal is unreachable, and recovers', async () => {
    t.fake.failWith(grpcError(14, 'No connection established'));
    const res = await t.post('/v1/runs', { workflow: validWorkflow() });
    await expectProblem(res, 503);
    expect(res.headers.get('retry-after')).toBe('5');
    t.fake.failWith(undefined);
    expect((await t.post('/v1/runs', { workflow: validWorkflow() })).status).toBe(201);
  });

  it("answers 503, not 500, when Temporal's answer is larger than a gRPC message may be", async () => {
    t.fake.failWith(grpcError(8, 'grpc: received message larger than max (57671680 vs. 4194304)'));
    const problem = await expectProblem(await t.app.request('/v1/runs/some-run'), 503);
    expect(problem.type).toBe('/problems/too-large-for-temporal');
    expect(problem.detail).toContain('PAYLOAD_STORE');
  });

  it('answers 503 with a short Retry-After, and logs no error, when Temporal refuses an update for now', async () => {
    // What a refused Update-with-Start carries: its cause (the workflow's task is failing, so retried) in the status details.
    const details = Buffer.from('..MultiOperationExecutionFailure..Workflow Task in failed state..WorkflowNotReadyFailure', 'latin1');
    const metadata = { get: (key: string) => (key === 'grpc-status-details-bin' ? [details] : []) };
    const notReady = Object.assign(grpcError(9, 'Update-with-Start could not be executed.'), { metadata });
    for (const err of [notReady, grpcError(8, 'limit on number of concurrent in-flight updates has been reached'), grpcError(10, 'update aborted')]) {
      t.fake.failWith(err);
      const res = await t.post('/v1/runs', { workflow: validWorkflow() });
      const problem = await expectProblem(res, 503);
      expect(problem.type).toBe('/problems/temporal-unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    }
    // Another failed precondition is not a reason to try again.
    t.fake.failWith(grpcError(9, 'memo updates are not supported on workflow-backed schedules'));
    await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow() }), 500);
    expect(t.logs.filter((l) => l.level === 'error')).toHaveLength(1);
    t.fake.failWith(undefined);
  });

  it('answers 500 with a request id to an unexpected error, and logs it', async () => {
    t.fake.failWith(new Error('boom'));
    const problem = await expectProblem(await t.post('/v1/runs', { workflow: validWorkflow() }), 500);
    expect(t.logs).toContainEqual(expect.objectContaining({ level: 'error', requestId: problem.requestId }));
  });
});

describe('GET /v1/runs and /v1/runs/:runId', () => {
  it('reads a run', async () => {
    const t = setup();
    await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'r1' });
    const res = await t.app.request('/v1/runs/r1');
    expect(res.status).toBe(200);
    expect(runSchema.parse(await res.json())).toMatchObject({ runId: 'r1', name: 'orders', status: 'running' });
  });

  it('answers 404 for an unknown run', async () => {
    await expectProblem(await setup().app.request('/v1/runs/nope'), 404);
  });

  it('lists runs filtered by status and workflow', async () => {
    const t = setup();
    await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'r1' });
    await t.post('/v1/runs', { workflow: { ...validWorkflow(), name: 'other' }, runId: 'r2' });
    const res = await t.app.request('/v1/runs?workflow=orders&status=running&limit=10');
    expect(runListSchema.parse(await res.json())).toEqual({ runs: [expect.objectContaining({ runId: 'r1' })], nextCursor: null });
  });

  it.each(['limit=0', 'limit=abc', 'status=done', 'cursor=%25%25'])('rejects the query %s with 422', async (query) => {
    const problem = await expectProblem(await setup().app.request(`/v1/runs?${query}`), 422);
    expect(problem.errors?.[0]?.path).toMatch(/^\$\.query\./);
  });
});

describe('POST /v1/runs/:runId/cancel', () => {
  it('answers 202, and 409 once the run has finished', async () => {
    const t = setup();
    await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'r1' });
    const res = await t.app.request('/v1/runs/r1/cancel', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(cancelAcceptedSchema.parse(await res.json()).status).toBe('canceling');
    t.fake.runs.get('r1')!.status = 'canceled';
    await expectProblem(await t.app.request('/v1/runs/r1/cancel', { method: 'POST' }), 409);
  });
});

describe('GET /v1/runs/:runId/events', () => {
  it('streams the current state first, each change, then a final run event', async () => {
    const t = setup();
    await t.post('/v1/runs', { workflow: validWorkflow(), runId: 'r1' });
    const run = t.fake.runs.get('r1')!;
    run.nodes = { start: { status: 'succeeded', attempts: 1 }, users: { status: 'running', attempts: 0 } };
    const res = await t.app.request('/v1/runs/r1/events');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    setTimeout(() => {
      run.nodes.users = { status: 'succeeded', attempts: 1, output: { status: 200 } };
      run.status = 'succeeded';
    }, 30);
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) }));
    expect(events.map((e) => `${e.event}:${e.data.nodeId ?? e.data.status}:${e.data.nodeId ? e.data.status : ''}`)).toEqual([
      'node:start:succeeded',
      'node:users:running',
      'node:users:succeeded',
      'run:succeeded:',
    ]);
  });

  it('answers 404 before streaming for an unknown run', async () => {
    await expectProblem(await setup().app.request('/v1/runs/ghost/events'), 404);
  });
});

describe('POST /v1/workflows/validate', () => {
  it('answers stats for a valid definition', async () => {
    const res = await setup().post('/v1/workflows/validate', validWorkflow());
    expect(validateOkSchema.parse(await res.json())).toEqual({ valid: true, stats: { nodes: 2, edges: 1, triggers: 1, maxDepth: 2 } });
  });

  it('answers 422 with every error', async () => {
    const problem = await expectProblem(await setup().post('/v1/workflows/validate', { nodes: [{ id: 'a', type: 'set', data: { value: '{% ( %}' } }] }), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['$.nodes', '$.nodes[0].data.value']));
  });
});

describe('auth, ids, limits, system routes', () => {
  it('needs the bearer token on /v1/* when API_TOKEN is set, and leaves system routes open', async () => {
    const t = setup({ apiToken: 's3cret' });
    const res = await t.app.request('/v1/runs');
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    await expectProblem(await t.app.request('/v1/runs', { headers: { authorization: 'Bearer wrong' } }), 401);
    expect((await t.app.request('/v1/runs', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) expect((await t.app.request(path)).status).toBe(200);
  });

  it('echoes a sane x-request-id and replaces an insane one', async () => {
    const t = setup();
    expect((await t.app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    const replaced = (await t.app.request('/healthz', { headers: { 'x-request-id': 'bad id!' } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one structured line per request', async () => {
    const t = setup();
    await t.app.request('/healthz');
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/healthz', status: 200, ms: expect.any(Number), requestId: expect.any(String) }),
    );
  });

  it('rate-limits POSTs per client with 429 and Retry-After', async () => {
    const t = setup({ rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await t.post('/v1/workflows/validate', validWorkflow())).status).toBe(200);
    const res = await t.post('/v1/workflows/validate', validWorkflow());
    await expectProblem(res, 429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.app.request('/v1/runs')).status).toBe(200);
  });

  it('answers unknown routes with a 404 problem', async () => {
    await expectProblem(await setup().app.request('/nope'), 404);
  });

  it('reports readiness from its checks', async () => {
    const down = setup({}, async () => ({ ready: false, checks: { temporal: { ok: false, detail: 'unreachable' } } }));
    expect((await down.app.request('/readyz')).status).toBe(503);
    expect((await setup().app.request('/healthz')).status).toBe(200);
  });

  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const doc = (await (await setup().app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/runs', '/v1/runs/{runId}', '/v1/runs/{runId}/cancel', '/v1/runs/{runId}/events', '/v1/workflows/validate']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['WorkflowDefinition', 'Run', 'Problem']));
    // Each built-in node type documents its data, with its description, from its own module.
    const http = doc.components.schemas.NodeData_http as { description?: string; properties?: Record<string, unknown> };
    expect(http.description).toMatch(/HTTP request/);
    expect(Object.keys(http.properties ?? {})).toEqual(expect.arrayContaining(['method', 'url', 'headers', 'timeout']));
    for (const type of ['trigger', 'condition', 'switch', 'merge', 'delay', 'set', 'approval', 'wait', 'activity', 'subworkflow', 'forEach']) {
      expect(doc.components.schemas[`NodeData_${type}`], type).toBeDefined();
    }
  });

  it('serves the API reference page and its assets locally', async () => {
    const app = setup().app;
    const page = await (await app.request('/docs')).text();
    expect(page).not.toMatch(/https?:\/\//);
    for (const asset of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const res = await app.request(asset[1]!);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
  });
});
