/**
 * Projects against real parts: the API with an API token, a real Temporal dev
 * server and worker, Braid's database on SQLite (saved workflows, keys,
 * projects, credentials, the node cache) and a local HTTP target. Two
 * projects use the same names (a workflow, a run id, a credential); each
 * sees only its own, a non-member's answers are the ones for an id that does
 * not exist, and nothing a graph says can take a run into another project.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import type { Logger } from '../../src/logger';
import { runStartOptions } from '../../src/runs/run-store';
import { createAuditLog } from '../../src/store/audit-log';
import { createCredentialStore } from '../../src/store/credentials';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createKeyStore } from '../../src/store/keys';
import { createNodeCache } from '../../src/store/node-cache';
import { createProjectStore } from '../../src/store/projects';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually, readSse } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const TOKEN = 'projects-test-token-0123456789abcdef';
/** Everything the API logs, to scan for credential values. */
const logged: string[] = [];
const recordingLogger: Logger = {
  debug: (msg, fields) => void logged.push(JSON.stringify([msg, fields])),
  info: (msg, fields) => void logged.push(JSON.stringify([msg, fields])),
  warn: (msg, fields) => void logged.push(JSON.stringify([msg, fields])),
  error: (msg, fields) => void logged.push(JSON.stringify([msg, fields])),
  child: () => recordingLogger,
};
const taskQueue = uniqueId('projects-tq');
let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let database: BraidDatabase;
let dir: string;
let app: ReturnType<typeof createApp>;
const key: Record<'acme' | 'shop', string> = { acme: '', shop: '' };

type Answer = { status: number; body: Record<string, unknown> };
async function call(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
/** A problem without what differs between any two requests. */
const sameAnswer = ({ status, body }: Answer) => ({ status, type: body.type, title: body.title, detail: body.detail });

const orders = (tag: string, extra: Record<string, unknown> = {}) => ({
  nodes: [
    { id: 'start', type: 'trigger', data: { kind: 'webhook' } },
    { id: 'call', type: 'http', data: { url: `${target.url}/echo?t=${tag}`, ...extra }, cache: { ttl: '10m' }, retry: { maximumAttempts: 1 } },
  ],
  edges: [{ source: 'start', target: 'call' }],
});
const hits = (tag: string) => target.requests.filter((r) => r.path.includes(`t=${tag}`)).length;

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  dir = mkdtempSync(join(tmpdir(), 'braid-projects-'));
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  const credentials = createCredentialStore(database.db, randomBytes(32));
  worker = await createTestWorker(
    env,
    testActivities({ credentials: { resolve: (p, n) => credentials.resolve(p, n) }, nodeCache: createNodeCache(database.db) }),
    taskQueue,
  );
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1024 * 1024, rateLimitPerMinute: 0, apiToken: TOKEN },
    logger: recordingLogger,
    repository: createWorkflowRepository(database.db),
    keys: createKeyStore(database.db),
    projects: createProjectStore(database.db),
    credentials,
    auditLog: createAuditLog(database.db),
    watchIntervalMs: 50,
  });
  for (const project of ['acme', 'shop'] as const) {
    expect((await call(TOKEN, 'POST', '/v1/projects', { name: project })).status).toBe(201);
    const made = await call(TOKEN, 'POST', '/v1/keys', { name: project, roles: { [project]: 'owner' } });
    key[project] = made.body.key as string;
    // The same credential name in each project, each with its own value.
    const credential = { name: 'api', type: 'header', data: { name: 'x-api-key', value: `${project}-secret-value` }, allowedHosts: [new URL(target.url).host] };
    expect((await call(key[project], 'POST', '/v1/credentials', credential)).status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('projects', () => {
  it('are made by administrators only, once, with names that fit ids; each is audited', async () => {
    expect((await call(key.acme, 'POST', '/v1/projects', { name: 'mine' })).status).toBe(403);
    expect((await call(TOKEN, 'POST', '/v1/projects', { name: 'acme' })).status).toBe(409);
    for (const name of ['Acme', 'a~b', 'default/x', '', 'x'.repeat(31)]) expect((await call(TOKEN, 'POST', '/v1/projects', { name })).status, name).toBe(422);
    expect((await call(TOKEN, 'GET', '/v1/projects')).body.projects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'acme' }),
        expect.objectContaining({ name: 'shop' }),
        expect.objectContaining({ name: 'default' }),
      ]),
    );
    expect((await call(key.acme, 'GET', '/v1/projects')).body).toEqual({ projects: [{ name: 'acme', role: 'owner' }] });
    const audit = (await call(TOKEN, 'GET', '/v1/audit?action=project.create&project=acme')).body.entries as { principal: string; target: string }[];
    expect(audit).toEqual([expect.objectContaining({ principal: 'api-token', target: 'acme' })]);
  });

  it('keep same-named workflows, runs and credentials apart, and a non-member learns nothing of them', async () => {
    const tag = { acme: uniqueId('acme'), shop: uniqueId('shop') };
    for (const project of ['acme', 'shop'] as const) {
      // A key with one project needs no header: that project is its own.
      expect((await call(key[project], 'PUT', '/v1/workflows/orders', orders(tag[project], { auth: { credential: 'api' } }))).status).toBe(201);
    }
    const started = {
      acme: await call(key.acme, 'POST', '/v1/workflows/orders/runs', { runId: 'order-1' }, { prefer: 'wait=30' }),
      shop: await call(key.shop, 'POST', '/v1/workflows/orders/runs', { runId: 'order-1' }, { prefer: 'wait=30' }),
    };
    expect(started.acme).toMatchObject({ status: 201, body: { runId: 'acme~order-1', status: 'succeeded' } });
    expect(started.shop).toMatchObject({ status: 201, body: { runId: 'shop~order-1', status: 'succeeded' } });
    // Each run called with its own project's credential.
    const sent = target.requests.filter((r) => r.path.includes(tag.acme) || r.path.includes(tag.shop));
    expect(sent.map((r) => r.headers['x-api-key']).sort()).toEqual(['acme-secret-value', 'shop-secret-value']);

    // Lists show the caller's project only.
    const listed = (await call(key.shop, 'GET', '/v1/runs?limit=100')).body.runs as { runId: string }[];
    expect(listed.map((r) => r.runId)).toContain('shop~order-1');
    expect(listed.every((r) => r.runId.startsWith('shop~'))).toBe(true);
    const admin = (await call(TOKEN, 'GET', '/v1/runs?limit=100')).body.runs as { runId: string }[];
    expect(admin.some((r) => r.runId.includes('~'))).toBe(false);

    // Another project's things answer as things that do not exist, status and problem alike.
    const pairs: [string, string, string?][] = [
      ['GET', '/v1/runs/acme~order-1', '/v1/runs/acme~no-such-run'],
      ['GET', '/v1/runs/acme~order-1/definition', '/v1/runs/acme~no-such-run/definition'],
      ['POST', '/v1/runs/acme~order-1/cancel', '/v1/runs/acme~no-such-run/cancel'],
      ['GET', '/v1/credentials/api', '/v1/credentials/no-such'],
      ['GET', '/v1/workflows/orders', '/v1/workflows/no-such'],
    ];
    for (const [method, theirs, missing] of pairs) {
      const asked = await call(key.shop, method, theirs, undefined, { 'braid-project': 'acme' });
      const none = await call(key.shop, method, missing!, undefined, { 'braid-project': 'acme' });
      const nowhere = await call(key.shop, method, theirs.replace('acme~', 'nowhere~'), undefined, { 'braid-project': 'nowhere' });
      expect(asked.status, theirs).toBe(404);
      expect(sameAnswer(asked), theirs).toEqual(sameAnswer(none));
      expect(sameAnswer(asked).detail, theirs).toEqual(sameAnswer(nowhere).detail?.toString().replace('nowhere', 'acme'));
    }
    // The value sent is nowhere Braid keeps or shows text: the run (whose http output echoed the header), its event stream, its history, the audit log, the API's logs.
    const stream = await app.request('/v1/runs/acme~order-1/events', { headers: { authorization: `Bearer ${key.acme}` } });
    const traces = [
      JSON.stringify((await call(key.acme, 'GET', '/v1/runs/acme~order-1')).body),
      JSON.stringify(await readSse(stream, (e) => e.event === 'run')),
      JSON.stringify(await env.client.workflow.getHandle('acme~order-1').fetchHistory()),
      JSON.stringify((await call(TOKEN, 'GET', '/v1/audit?limit=500')).body),
      logged.join('\n'),
    ];
    expect(traces[0]).toContain('***');
    for (const [i, text] of traces.entries()) expect(text, `trace ${i}`).not.toMatch(/(acme|shop)-secret-value/);

    // In its own project, shop's credential reads; acme's id of the same name is not shop's.
    expect((await call(key.shop, 'GET', '/v1/credentials/api')).status).toBe(200);
    expect((await call(key.shop, 'GET', '/v1/runs/shop~order-1')).body).toMatchObject({ runId: 'shop~order-1', workflow: { name: 'orders' } });
  }, 120_000);

  it("starts webhook runs in the project of the hook's path, for members who may run", async () => {
    const hook = await call(key.acme, 'POST', '/v1/projects/acme/hooks/orders', { n: 1 }, { 'idempotency-key': 'delivery-1' });
    expect(hook.status).toBe(202);
    expect(hook.body.runId).toMatch(/^acme~orders-hook-/);
    // A key of another project: the same answer as a workflow that does not exist there.
    const foreign = await call(key.shop, 'POST', '/v1/projects/acme/hooks/orders', { n: 1 });
    const missing = await call(key.shop, 'POST', '/v1/projects/acme/hooks/no-such', { n: 1 });
    expect(foreign.status).toBe(404);
    expect(sameAnswer(foreign)).toEqual(sameAnswer(missing));
    // Default's hook path does not reach acme's workflow.
    expect((await call(TOKEN, 'POST', '/v1/hooks/orders', { n: 1 })).status).toBe(404);
  });

  it('refuses a definition naming a credential only another project has', async () => {
    await call(TOKEN, 'DELETE', '/v1/credentials/api', undefined, { 'braid-project': 'shop' });
    const tag = uniqueId('foreign');
    const res = await call(key.shop, 'POST', '/v1/runs', { workflow: { name: 'x', ...orders(tag, { auth: { credential: 'api' } }) } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('no credential \\"api\\" in project \\"shop\\"');
  });

  it("gives a run started outside the API in another project's id no other project's credentials or cache", async () => {
    const tag = uniqueId('direct');
    const definition = { name: 'forged', ...orders(tag, { auth: { credential: 'api' } }) };
    // Straight to Temporal, as a graph's author cannot: shop's id (shop has no credential "api" now), and acme's cached entry's very node.
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `shop~${tag}`,
      ...runStartOptions({ definition, name: 'forged', project: 'shop' }),
    });
    const state = (await handle.result().catch((err: { cause?: { details?: unknown[] } }) => err.cause?.details?.[0])) as {
      nodes: Record<string, { status: string; error?: { message: string } }>;
    };
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('does not exist in project "shop"') } });
    expect(hits(tag)).toBe(0);
  });

  it("never answers one project's node from another's cache entry", async () => {
    const tag = uniqueId('cache');
    const plain = (name: string) => ({ workflow: { name, ...orders(tag) } });
    for (const project of ['acme', 'acme', 'shop'] as const) {
      const res = await call(key[project], 'POST', '/v1/runs', plain('cached'), { prefer: 'wait=30' });
      expect(res.body.status).toBe('succeeded');
    }
    // acme's second run was a hit; shop's identical node was not.
    await eventually(async () => (hits(tag) === 2 ? true : undefined));
    expect(hits(tag)).toBe(2);
  }, 60_000);
});
