/**
 * The audit trail through the API (`app.request()`, a fake run store, the
 * audit log on SQLite in memory): what each change records, that failed
 * requests and reads record nothing, the filters and pages of GET /v1/audit,
 * and that every route of the OpenAPI document that changes state is audited.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { AUDITED_ROUTES } from '../../src/api/audit';
import { createApp } from '../../src/api/app';
import { auditPageSchema } from '../../src/api/routes/audit';
import { chainProblem } from '../../src/audit/chain';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';

const TOKEN = 'audit-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

function setup() {
  const fake = createFakeRunStore();
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 6000,
      apiToken: TOKEN,
    },
    logger: silentLogger,
    runStore: fake.store,
    readiness: async () => ({ ready: true, checks: {} }),
    watchIntervalMs: 5,
  });
  const send = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const audit = async (query = '') => {
    const res = await send('GET', `/v1/audit${query}`);
    expect(res.status).toBe(200);
    return auditPageSchema.parse(await res.json());
  };
  return { app, fake, send, audit };
}

const workflow = () => graph('orders').trigger().http('users', 'https://api.example.com/users').edge('start', 'users').build();

describe('the audit trail', () => {
  it('records each change with its principal, project, target and request id, in one chain', async () => {
    const t = setup();
    const started = await t.send('POST', '/v1/runs', { workflow: workflow(), runId: 'orders-1' });
    expect(started.status).toBe(201);
    expect((await t.send('PUT', '/v1/workflows/orders', workflow())).status).toBe(201);
    expect((await t.send('DELETE', '/v1/workflows/orders')).status).toBe(204);
    const { entries } = await t.audit();
    expect(entries.map((e) => [e.action, e.target, e.principal, e.project])).toEqual([
      ['workflow.delete', 'orders', 'api-token', 'default'],
      ['workflow.save', 'orders', 'api-token', 'default'],
      ['run.start', 'orders-1', 'api-token', 'default'],
    ]);
    expect(entries[2]!.requestId).toBe(started.headers.get('x-request-id'));
    expect(chainProblem(entries)).toBeUndefined();
  });

  it('records nothing for a refused request, a read or a check', async () => {
    const t = setup();
    expect((await t.send('POST', '/v1/runs', { workflow: { nodes: [] } })).status).toBe(422);
    expect((await t.send('DELETE', '/v1/workflows/nope')).status).toBe(404);
    expect((await t.send('POST', '/v1/workflows/validate', workflow())).status).toBe(200);
    expect((await t.send('GET', '/v1/runs')).status).toBe(200);
    expect((await t.audit()).entries).toEqual([]);
  });

  it('filters and pages, and refuses a cursor it did not give', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) expect((await t.send('POST', '/v1/runs', { workflow: workflow(), runId: `orders-${i}` })).status).toBe(201);
    expect((await t.send('PUT', '/v1/workflows/orders', workflow())).status).toBe(201);
    expect((await t.audit('?action=workflow.save')).entries.map((e) => e.target)).toEqual(['orders']);
    expect((await t.audit('?principal=someone')).entries).toEqual([]);
    const first = await t.audit('?action=run.start&limit=3');
    expect(first.entries.map((e) => e.target)).toEqual(['orders-4', 'orders-3', 'orders-2']);
    const second = await t.audit(`?action=run.start&limit=3&cursor=${first.nextCursor}`);
    expect(second.entries.map((e) => e.target)).toEqual(['orders-1', 'orders-0']);
    expect(second.nextCursor).toBeNull();
    expect((await t.audit(`?after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).entries).toEqual([]);
    const bad = await t.send('GET', '/v1/audit?cursor=bm9wZQ');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('$.query.cursor');
    expect((await t.send('GET', '/v1/audit?action=run.explode')).status).toBe(422);
  });

  it('is not readable without the token', async () => {
    const t = setup();
    expect((await t.app.request('/v1/audit')).status).toBe(401);
  });

  it('audits every route of the OpenAPI document that changes state', async () => {
    const t = setup();
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    // Changes nothing Braid keeps: a check, codec round trips; an event is delivered to a run (not an audited action in the contract).
    const notChanges = new Set(['POST /v1/workflows/validate', 'POST /codec/encode', 'POST /codec/decode', 'POST /v1/runs/:runId/events/:event']);
    const changing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(changing.length).toBeGreaterThan(10);
    expect(changing.filter((op) => !notChanges.has(op) && !(op in AUDITED_ROUTES))).toEqual([]);
  });
});
