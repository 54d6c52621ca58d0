/**
 * Redrive and pinned test runs through the real API, a real Temporal dev
 * server and worker, and a real local target that records every request:
 * reused and pinned nodes send none, a decided approval is not asked again,
 * and only what failed (and what is below it) runs again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createAppServices } from '../../src/api/app';
import type { AppDeps } from '../../src/api/types';
import { workerBulkTarget } from '../../src/runs/bulk';
import { bulkAcceptedSchema, operationSchema, problemSchema, redriveCreatedSchema, runListSchema, runSchema, runStartedSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const TOKEN = 'test-token';
let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let database: BraidDatabase;
let app: ReturnType<typeof createApp>;
const background = new AbortController();
const taskQueue = uniqueId('redrive-tq');
const dir = mkdtempSync(join(tmpdir(), 'braid-redrive-'));

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  // Bulk operations' activity redrives with the API's code, on the same database (as src/worker.ts builds it).
  const bulk = workerBulkTarget({
    client: env.client,
    namespace: 'default',
    taskQueue,
    temporalUiUrl: 'http://localhost:8233',
    nodeTypes: new Map(),
    claimCheck: false,
    database: database.db,
  });
  worker = await createTestWorker(env, testActivities({ bulk }), taskQueue);
  workerDone = worker.run();
  const deps: AppDeps = {
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1024 * 1024, rateLimitPerMinute: 0, apiToken: TOKEN },
    logger: silentLogger,
    repository: createWorkflowRepository(database.db),
  };
  // As the composition root does: the services, their error-workflow loop (two closed runs per page of visibility, so every look reads several pages), the app.
  const services = createAppServices(deps);
  services.watchErrorWorkflows(200, background.signal, 2);
  app = createApp(deps, services);
});

afterAll(async () => {
  background.abort();
  worker?.shutdown();
  await workerDone;
  await database?.close();
  await Promise.all([env?.teardown(), target?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const finished = (runId: string) =>
  eventually(async () => {
    const run = runSchema.parse(await (await call('GET', `/v1/runs/${runId}`)).json());
    return run.status === 'running' ? undefined : run;
  });
const start = async (body: unknown) => {
  const res = await call('POST', '/v1/runs', body);
  expect(res.status).toBe(201);
  return runStartedSchema.parse(await res.json()).runId;
};
const redrive = async (runId: string, body?: unknown) => {
  const res = await call('POST', `/v1/runs/${runId}/redrive`, body);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  return redriveCreatedSchema.parse(await res.json());
};
/** Requests the target got for a node of a test (by its tag in the query). */
const sent = (tag: string, node: string) =>
  target.requests.filter((r) => r.path.endsWith(`t=${tag}-${node}`) || r.path.includes(`/flaky/${tag}-${node}/`)).length;

/**
 *  start ─▶ a ─▶ b (fails once) ─▶ c
 *     └───▶ d
 */
function flaky(tag: string, name = 'redrive-flaky') {
  const echo = (id: string) => ({ id, type: 'http', data: { url: `${target.url}/echo?t=${tag}-${id}` }, retry: { maximumAttempts: 1 } });
  return {
    name,
    nodes: [
      { id: 'start', type: 'trigger' },
      echo('a'),
      { id: 'b', type: 'http', data: { url: `${target.url}/flaky/${tag}-b/1` }, retry: { maximumAttempts: 1 } },
      echo('c'),
      echo('d'),
    ],
    edges: [
      { source: 'start', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'start', target: 'd' },
    ],
    settings: { onError: 'continue' },
  };
}

describe('redrive', () => {
  it('reruns only what failed and what is below it: reused nodes send nothing, and both runs point at each other', async () => {
    const tag = uniqueId('f');
    const runId = await start({ workflow: flaky(tag), runId: tag });
    const failed = await finished(runId);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.b!.status).toBe('failed');

    const created = await redrive(runId);
    expect(created).toMatchObject({ runId: `${tag}-r1`, redriveOf: runId });
    expect(created.reused.sort()).toEqual(['a', 'd']);
    const again = await finished(created.runId);
    expect(again.status).toBe('succeeded');
    expect(again.redriveOf).toMatchObject({ runId });
    expect(again.nodes.a).toMatchObject({ status: 'succeeded', reused: { runId }, attempts: 0 });
    expect(again.nodes.b).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(again.nodes.b!.reused).toBeUndefined();
    // a and d were called once in all (by the original), b twice, c once (by the redrive).
    expect([sent(tag, 'a'), sent(tag, 'b'), sent(tag, 'c'), sent(tag, 'd')]).toEqual([1, 2, 1, 1]);

    const original = await eventually(async () => {
      const run = runSchema.parse(await (await call('GET', `/v1/runs/${runId}`)).json());
      return run.redrivenBy.length > 0 ? run : undefined;
    });
    expect(original.redrivenBy).toEqual([created.runId]);
    const listed = runListSchema.parse(await (await call('GET', `/v1/runs?redriveOf=${runId}`)).json()).runs;
    expect(listed.map((r) => [r.runId, r.redriveOf])).toEqual([[created.runId, runId]]);

    // A second redrive of the same run takes the next id.
    expect((await redrive(runId, { fromNodes: ['d'] })).runId).toBe(`${tag}-r2`);
  }, 60_000);

  it('refuses a running run (409), a succeeded one without fromNodes (409), and names unknown fromNodes (422)', async () => {
    const tag = uniqueId('refuse');
    const waiting = await start({
      workflow: {
        name: 'redrive-wait',
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'ask', type: 'approval' },
        ],
        edges: [{ source: 'start', target: 'ask' }],
      },
      runId: `${tag}-w`,
    });
    const running = await call('POST', `/v1/runs/${waiting}/redrive`);
    expect(running.status).toBe(409);
    expect(problemSchema.parse(await running.json()).detail).toMatch(/still running/);
    await call('POST', `/v1/runs/${waiting}/cancel`);

    const ok = await start({
      workflow: {
        name: 'redrive-ok',
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'x', type: 'http', data: { url: `${target.url}/echo?t=${tag}-x` } },
        ],
        edges: [{ source: 'start', target: 'x' }],
      },
    });
    expect((await finished(ok)).status).toBe('succeeded');
    expect((await call('POST', `/v1/runs/${ok}/redrive`)).status).toBe(409);
    const unknown = await call('POST', `/v1/runs/${ok}/redrive`, { fromNodes: ['x', 'nope'] });
    expect(unknown.status).toBe(422);
    expect(problemSchema.parse(await unknown.json()).errors).toEqual([{ path: '$.fromNodes[1]', message: '"nope" is not a node of this workflow' }]);
    const extra = await call('POST', `/v1/runs/${ok}/redrive`, { fromNodes: ['x'], colour: 'red' });
    expect(extra.status).toBe(422);
    expect(problemSchema.parse(await extra.json()).errors!.map((e) => e.path)).toEqual(['$']);
    // With fromNodes a succeeded run runs those nodes again.
    const rerun = await redrive(ok, { fromNodes: ['x'] });
    expect(rerun.reused).toEqual([]);
    expect((await finished(rerun.runId)).status).toBe('succeeded');
    expect(sent(tag, 'x')).toBe(2);
    expect((await call('POST', '/v1/runs/no-such-run/redrive')).status).toBe(404);
  }, 60_000);

  it('keeps a decided approval: the redrive is not asked again', async () => {
    //  start ─▶ ask (approval) ─approved─▶ pay (fails once)
    const tag = uniqueId('approval');
    const workflow = {
      name: 'redrive-approval',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'ask', type: 'approval', data: { prompt: 'pay?' } },
        { id: 'pay', type: 'http', data: { url: `${target.url}/flaky/${tag}-pay/1` }, retry: { maximumAttempts: 1 } },
      ],
      edges: [
        { source: 'start', target: 'ask' },
        { source: 'ask', target: 'pay', sourceHandle: 'approved' },
      ],
    };
    const runId = await start({ workflow });
    await eventually(async () => {
      const res = await call('POST', `/v1/runs/${runId}/nodes/ask/decision`, { approved: true });
      return res.status === 200 ? true : undefined;
    });
    expect((await finished(runId)).status).toBe('failed');
    const created = await redrive(runId);
    expect(created.reused).toEqual(['ask']);
    const again = await finished(created.runId);
    expect(again.status).toBe('succeeded');
    expect(again.nodes.ask).toMatchObject({ status: 'succeeded', handle: 'approved', reused: { runId }, output: { approved: true, by: 'api-token' } });
    expect(sent(tag, 'pay')).toBe(2);
  }, 60_000);

  it("reruns only the items of a forEach that did not succeed, keeping the others' outputs in order", async () => {
    //  start ─▶ each (forEach over 0…5, one at a time; item 3 fails once) ─▶ after
    const tag = uniqueId('items');
    const itemUrl = `{% $item = 3 ? "${target.url}/flaky/${tag}-i3/1" : "${target.url}/echo?t=${tag}-i" & $string($item) %}`;
    const body = {
      nodes: [
        { id: 'in', type: 'trigger' },
        { id: 'call', type: 'http', data: { url: itemUrl }, retry: { maximumAttempts: 1 } },
      ],
      edges: [{ source: 'in', target: 'call' }],
    };
    const workflow = {
      name: 'redrive-items',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'each', type: 'forEach', data: { items: [0, 1, 2, 3, 4, 5], body, maxConcurrency: 1 } },
        { id: 'after', type: 'set', data: { value: '{% $count($nodes.each.output) %}' } },
      ],
      edges: [
        { source: 'start', target: 'each' },
        { source: 'each', target: 'after' },
      ],
    };
    const runId = await start({ workflow });
    const failed = await finished(runId);
    expect(failed.nodes.each!.status).toBe('failed');
    expect([0, 1, 2, 4, 5].map((i) => sent(tag, `i${i}`))).toEqual([1, 1, 1, 0, 0]);

    const created = await redrive(runId);
    expect(created.reused).toEqual([]);
    const again = await finished(created.runId);
    expect(again.status).toBe('succeeded');
    expect(again.nodes.each).toMatchObject({ status: 'succeeded', reusedItems: { runId, count: 3 }, progress: { done: 6, failed: 0, total: 6 } });
    expect(again.nodes.after!.output).toBe(6);
    const outputs = again.nodes.each!.output as { call: { body: { query?: { t?: string } } } }[];
    expect(outputs.map((o) => o.call.body.query?.t ?? 'flaky')).toEqual([0, 1, 2].map((i) => `${tag}-i${i}`).concat(['flaky', `${tag}-i4`, `${tag}-i5`]));
    // Items 0–2 were not sent again; 3 was sent twice in all (its first try failed), 4 and 5 once.
    expect([0, 1, 2, 4, 5].map((i) => sent(tag, `i${i}`))).toEqual([1, 1, 1, 1, 1]);
    expect(sent(tag, 'i3')).toBe(2);
  }, 60_000);

  it('with a new input reruns what reads it; with version "latest" reruns the nodes that changed', async () => {
    const tag = uniqueId('latest');
    const def = (cUrl: string) => ({
      name: 'ignored',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'a', type: 'http', data: { url: `${target.url}/echo?t=${tag}-a` } },
        { id: 'n', type: 'set', data: { value: '{% $input.n %}' } },
        { id: 'b', type: 'http', data: { url: `${target.url}/status/500?t=${tag}-b` }, retry: { maximumAttempts: 1 } },
        { id: 'c', type: 'http', data: { url: cUrl } },
      ],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'start', target: 'n' },
        { source: 'start', target: 'b' },
        { source: 'a', target: 'c' },
      ],
      settings: { onError: 'continue' },
    });
    const name = `redrive-latest-${tag}`;
    expect((await call('PUT', `/v1/workflows/${name}`, def(`${target.url}/echo?t=${tag}-c`))).status).toBe(201);
    const run = await call('POST', `/v1/workflows/${name}/runs`, { input: { n: 1 } });
    const runId = runStartedSchema.parse(await run.json()).runId;
    expect((await finished(runId)).status).toBe('failed');

    const withInput = await redrive(runId, { input: { n: 2 } });
    expect(withInput.reused.sort()).toEqual(['a', 'c']);
    expect((await finished(withInput.runId)).nodes.n!.output).toBe(2);

    // A new version changes c: a is reused, c runs again (its new URL).
    expect((await call('PUT', `/v1/workflows/${name}`, def(`${target.url}/echo?t=${tag}-c2`))).status).toBe(201);
    const latest = await redrive(runId, { version: 'latest' });
    expect(latest.reused.sort()).toEqual(['a', 'n']);
    const ran = await finished(latest.runId);
    expect(ran.workflow.version).not.toBe((await finished(runId)).workflow.version);
    expect([sent(tag, 'a'), sent(tag, 'c'), sent(tag, 'c2')]).toEqual([1, 1, 1]);
  }, 60_000);
});

describe('pinned test runs', () => {
  it('send nothing for pinned nodes, are marked test, and stay out of run lists unless asked for', async () => {
    const tag = uniqueId('pins');
    const workflow = flaky(tag, `pinned-${tag}`);
    const runId = await start({ workflow, pins: { b: { status: 200, headers: {}, body: 'pinned' } } });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect(run.test).toBe(true);
    expect(run.nodes.b).toMatchObject({ status: 'succeeded', pinned: true, output: { body: 'pinned' } });
    expect([sent(tag, 'a'), sent(tag, 'b'), sent(tag, 'c')]).toEqual([1, 0, 1]);
    const list = async (query: string) =>
      runListSchema.parse(await (await call('GET', `/v1/runs?workflow=pinned-${tag}${query}`)).json()).runs.map((r) => r.runId);
    await eventually(async () => ((await list('&test=true')).length === 1 ? true : undefined));
    expect(await list('')).toEqual([]);
    expect(await list('&test=any')).toEqual([runId]);

    const wrong = await call('POST', '/v1/runs', { workflow, pins: { nope: 1, start: {} } });
    expect(wrong.status).toBe(422);
    expect(problemSchema.parse(await wrong.json()).errors!.map((e) => e.path)).toEqual(['$.pins.nope', '$.pins.start']);
  }, 60_000);
});

describe('error workflows', () => {
  /** A saved workflow that fails at b (onError fail), with `alert` as its error workflow. */
  const failing = (tag: string) => ({
    name: 'ignored',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'b', type: 'http', data: { url: `${target.url}/status/500?t=${tag}-b` }, retry: { maximumAttempts: 1 } },
    ],
    edges: [{ source: 'start', target: 'b' }],
    settings: { onFailure: { workflow: `alert-${tag}` } },
  });
  const alert = (tag: string) => ({
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'notify', type: 'http', data: { method: 'POST', url: `${target.url}/echo?t=${tag}-notify`, body: '{% $input.run %}' } },
    ],
    edges: [{ source: 'start', target: 'notify' }],
    // It names itself: its own failure must still start nothing.
    settings: { onFailure: { workflow: `alert-${tag}` } },
  });

  it('start the saved error workflow with the failed run, its failed nodes and links, once', async () => {
    const tag = uniqueId('onfail');
    const missing = await call('PUT', `/v1/workflows/main-${tag}`, failing(tag));
    expect(missing.status).toBe(422);
    expect(problemSchema.parse(await missing.json()).errors).toEqual([
      { path: '$.settings.onFailure.workflow', message: `no saved workflow "alert-${tag}": save the error workflow first` },
    ]);
    expect((await call('PUT', `/v1/workflows/alert-${tag}`, alert(tag))).status).toBe(201);
    expect((await call('PUT', `/v1/workflows/main-${tag}`, failing(tag))).status).toBe(201);

    const res = await call('POST', `/v1/workflows/main-${tag}/runs`, {});
    const runId = runStartedSchema.parse(await res.json()).runId;
    expect((await finished(runId)).status).toBe('failed');
    const errorRun = await eventually(async () => {
      const r = await call('GET', `/v1/runs/${runId}-onfailure`);
      if (r.status !== 200) return undefined;
      const run = runSchema.parse(await r.json());
      return run.status === 'running' ? undefined : run;
    });
    expect(errorRun.status).toBe('succeeded');
    expect(errorRun.workflow.name).toBe(`alert-${tag}`);
    expect(errorRun.input).toMatchObject({
      run: {
        id: runId,
        workflow: `main-${tag}`,
        status: 'failed',
        failedNodes: [{ id: 'b', type: 'http', error: { type: 'HttpServerError' }, input: { url: `${target.url}/status/500?t=${tag}-b` } }],
        links: { self: `/v1/runs/${runId}`, redrive: `/v1/runs/${runId}/redrive` },
      },
    });
    expect(sent(tag, 'notify')).toBe(1);
    // The error run does not name an error workflow of its own.
    const memo = (await env.client.workflow.getHandle(`${runId}-onfailure`).describe()).memo ?? {};
    expect(memo).toMatchObject({ errorOf: runId });
    expect(memo.onFailure).toBeUndefined();
  }, 60_000);

  it('start it for a run a fail node ended, with the error that node named', async () => {
    const tag = uniqueId('onraise');
    expect((await call('PUT', `/v1/workflows/alert-${tag}`, alert(tag))).status).toBe(201);
    const raising = {
      ...failing(tag),
      nodes: [
        { id: 'start', type: 'trigger' },
        {
          id: 'stop',
          type: 'fail',
          data: { error: 'OrderRejected', message: '{% "order " & $input.order & " is over the limit" %}', details: { order: '{% $input.order %}' } },
        },
      ],
      edges: [{ source: 'start', target: 'stop' }],
    };
    expect((await call('PUT', `/v1/workflows/raise-${tag}`, raising)).status).toBe(201);
    const runId = runStartedSchema.parse(await (await call('POST', `/v1/workflows/raise-${tag}/runs`, { input: { order: 'A-7' } })).json()).runId;
    const failed = await finished(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      type: 'OrderRejected',
      message: 'order A-7 is over the limit',
      details: { order: 'A-7' },
      nodeId: 'stop',
      failedNodes: ['stop'],
    });
    const errorRun = await eventually(async () => {
      const r = await call('GET', `/v1/runs/${runId}-onfailure`);
      if (r.status !== 200) return undefined;
      const run = runSchema.parse(await r.json());
      return run.status === 'running' ? undefined : run;
    });
    expect(errorRun.input).toMatchObject({
      run: {
        id: runId,
        status: 'failed',
        error: { type: 'OrderRejected', nodeId: 'stop' },
        failedNodes: [{ id: 'stop', type: 'fail', error: { type: 'OrderRejected' } }],
      },
    });
  }, 60_000);

  it('start it for a run that was terminated too', async () => {
    const tag = uniqueId('onterm');
    expect((await call('PUT', `/v1/workflows/alert-${tag}`, alert(tag))).status).toBe(201);
    const slow = {
      ...failing(tag),
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'pause', type: 'delay', data: { duration: '1h' } },
      ],
      edges: [{ source: 'start', target: 'pause' }],
    };
    expect((await call('PUT', `/v1/workflows/slow-${tag}`, slow)).status).toBe(201);
    const runId = runStartedSchema.parse(await (await call('POST', `/v1/workflows/slow-${tag}/runs`, {})).json()).runId;
    await env.client.workflow.getHandle(runId).terminate('operator stopped it');
    const errorRun = await eventually(async () => {
      const r = await call('GET', `/v1/runs/${runId}-onfailure`);
      return r.status === 200 ? runSchema.parse(await r.json()) : undefined;
    });
    expect(errorRun.input).toMatchObject({ run: { id: runId, status: 'terminated', failedNodes: [] } });
  }, 60_000);

  it('start one for each of many runs that failed between two looks, reading every page', async () => {
    const tag = uniqueId('onmany');
    expect((await call('PUT', `/v1/workflows/alert-${tag}`, alert(tag))).status).toBe(201);
    expect((await call('PUT', `/v1/workflows/main-${tag}`, failing(tag))).status).toBe(201);
    const runIds = await Promise.all(
      Array.from({ length: 7 }, async () => runStartedSchema.parse(await (await call('POST', `/v1/workflows/main-${tag}/runs`, {})).json()).runId),
    );
    for (const runId of runIds) {
      const errorRun = await eventually(async () => {
        const r = await call('GET', `/v1/runs/${runId}-onfailure`);
        return r.status === 200 ? runSchema.parse(await r.json()) : undefined;
      });
      expect(errorRun.input).toMatchObject({ run: { id: runId, status: 'failed' } });
    }
  }, 60_000);
});

describe('bulk operations', () => {
  it('redrive every failed run of a workflow, at a bounded rate, in a workflow of their own', async () => {
    const tag = uniqueId('bulk');
    const workflow = {
      name: `bulk-${tag}`,
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'a', type: 'http', data: { url: `${target.url}/echo?t=${tag}-a` } },
        { id: 'b', type: 'http', data: { url: `{% "${target.url}/flaky/" & $input.key & "/1" %}` }, retry: { maximumAttempts: 1 } },
      ],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'a', target: 'b' },
      ],
    };
    const runIds = await Promise.all([1, 2, 3].map((i) => start({ workflow, input: { key: `${tag}-${i}` } })));
    for (const id of runIds) expect((await finished(id)).status).toBe('failed');
    // Visibility lags a little behind the runs' ends.
    await eventually(
      async () => ((await (await call('GET', `/v1/runs?workflow=bulk-${tag}&status=failed`)).json()) as { runs: unknown[] }).runs.length === 3 || undefined,
    );

    const res = await call('POST', '/v1/runs/bulk', { action: 'redrive', filter: { workflow: `bulk-${tag}` } });
    expect(res.status).toBe(202);
    const accepted = bulkAcceptedSchema.parse(await res.json());
    expect(accepted).toMatchObject({ action: 'redrive', matched: 3 });
    const op = await eventually(async () => {
      const progress = operationSchema.parse(await (await call('GET', accepted.links.self)).json());
      return progress.status === 'running' ? undefined : progress;
    });
    expect(op).toMatchObject({ status: 'succeeded', total: 3, done: 3, failed: 0 });
    expect(op.runIds.sort()).toEqual(runIds.map((id) => `${id}-r1`).sort());
    for (const id of op.runIds) expect((await finished(id)).status).toBe('succeeded');
    // a ran once per original run and never again; b once more per redrive.
    expect(target.requests.filter((r) => r.path.endsWith(`t=${tag}-a`))).toHaveLength(3);
  }, 90_000);

  it('cancel every running run a filter matches', async () => {
    const tag = uniqueId('bulkcancel');
    const workflow = {
      name: `bulk-${tag}`,
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'pause', type: 'delay', data: { duration: '1h' } },
      ],
      edges: [{ source: 'start', target: 'pause' }],
    };
    const runIds = await Promise.all([1, 2].map(() => start({ workflow })));
    await eventually(
      async () => ((await (await call('GET', `/v1/runs?workflow=bulk-${tag}&status=running`)).json()) as { runs: unknown[] }).runs.length === 2 || undefined,
    );
    const accepted = bulkAcceptedSchema.parse(
      await (await call('POST', '/v1/runs/bulk', { action: 'cancel', filter: { workflow: `bulk-${tag}` }, limit: 10 })).json(),
    );
    expect(accepted.matched).toBe(2);
    for (const id of runIds) expect((await finished(id)).status).toBe('canceled');
    const op = operationSchema.parse(await (await call('GET', accepted.links.self)).json());
    expect(op.runIds.sort()).toEqual([...runIds].sort());
  }, 60_000);

  it('refuse a bad body (422) and answer 404 for an unknown operation', async () => {
    const bad = await call('POST', '/v1/runs/bulk', { action: 'retry', filter: { colour: 'red' } });
    expect(bad.status).toBe(422);
    expect(
      problemSchema
        .parse(await bad.json())
        .errors!.map((e) => e.path)
        .sort(),
    ).toEqual(['$.action', '$.filter']);
    expect((await call('POST', '/v1/runs/bulk', { action: 'cancel', filter: { startedAfter: 'yesterday' } })).status).toBe(422);
    expect((await call('GET', '/v1/operations/bulk-redrive-00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
