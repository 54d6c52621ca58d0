/**
 * The permission matrix: every operation of the OpenAPI document, called
 * with a key of each role in `default`, answers as the README's table says
 * (403 where the role lacks the permission, never 403 where it has it); a
 * key with no role in the project, or a project that does not exist, gets
 * 404 for everything there, as for an id that does not exist; administrators'
 * routes refuse every role; a decision's `by` is the principal's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { Role } from '../../src/auth/roles';
import { ROLES, ROUTE_PERMISSIONS } from '../../src/auth/roles';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';

const TOKEN = 'permissions-test-token-0123456789abcdef';
const ROOT = resolve(__dirname, '..', '..');

/** The README's table: route → the roles it says may call it. */
function readmeTable(): Map<string, Set<Role>> {
  const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const table = text.slice(text.indexOf('<!-- generated:permissions -->'), text.indexOf('<!-- /generated:permissions -->'));
  const rows = new Map<string, Set<Role>>();
  for (const line of table.split('\n')) {
    const m = /^\| `([A-Z]+ [^`]+)` \| \w+ \| (.+) \|$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split(' | ');
    rows.set(m[1]!, new Set(ROLES.filter((_, i) => cells[i] === 'yes')));
  }
  return rows;
}

const fake = createFakeRunStore();
const app = createApp({
  client: {} as Client,
  config: {
    namespace: 'default',
    taskQueue: 'braid',
    temporalUiUrl: 'http://localhost:8233',
    maxBodyBytes: 64 * 1024,
    rateLimitPerMinute: 100_000,
    apiToken: TOKEN,
  },
  logger: silentLogger,
  runStore: fake.store,
  readiness: async () => ({ ready: true, checks: {} }),
  watchIntervalMs: 5,
});
const call = (token: string, method: string, path: string, headers: Record<string, string> = {}) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
  });

const keyOf: Partial<Record<Role | 'none', string>> = {};
let operations: string[];

beforeAll(async () => {
  for (const role of [...ROLES, 'none'] as const) {
    const res = await app.request('/v1/keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: role, roles: role === 'none' ? {} : { default: role } }),
    });
    expect(res.status).toBe(201);
    keyOf[role] = ((await res.json()) as { key: string }).key;
  }
  const doc = (await (await call(TOKEN, 'GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
});

/** A concrete path for a route in a project: every parameter an id that does not exist (a run's and an operation's carry the project). */
const concrete = (route: string, project = 'default') => {
  const prefix = project === 'default' ? '' : `${project}~`;
  return route.replace(/:(\w+)/g, (_, p: string) => {
    if (p === 'id') return 'ffffffffffffffff';
    if (p === 'project') return project;
    if (p === 'principal') return 'oidc:nobody';
    if (p === 'runId') return `${prefix}no-such-run`;
    if (p === 'operationId') return `${prefix}bulk-cancel-00000000-0000-4000-8000-000000000000`;
    return `no-such-${p}`;
  });
};

describe('the permission matrix', () => {
  it('declares a permission for every operation of the OpenAPI document (webhooks check signatures instead)', () => {
    const undeclared = operations.filter((op) => !op.includes('/hooks/') && !(op in ROUTE_PERMISSIONS));
    expect(undeclared).toEqual([]);
    expect(operations.length).toBeGreaterThan(20);
  });

  it('answers every operation with each role as the README says', async () => {
    const table = readmeTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
    const differs: string[] = [];
    for (const route of table.keys()) {
      const [method, path] = route.split(' ') as [string, string];
      for (const role of ROLES) {
        const res = await call(keyOf[role]!, method, concrete(path));
        const allowed = table.get(route)!.has(role);
        if (allowed === (res.status === 403) || res.status === 401) differs.push(`${route} as ${role}: ${res.status}`);
      }
    }
    expect(differs).toEqual([]);
  });

  it('answers 404 to a key with no role in the project, as to a project that does not exist, whatever the route', async () => {
    for (const route of Object.keys(ROUTE_PERMISSIONS).filter((r) => ROUTE_PERMISSIONS[r] !== 'authenticated')) {
      const [method, path] = route.split(' ') as [string, string];
      expect((await call(keyOf.none!, method, concrete(path))).status, route).toBe(404);
      // Another project: in the header, the query, or the path (a route about a project, a run's or an operation's id).
      const elsewhere = concrete(path, 'shop');
      expect((await call(keyOf.owner!, method, elsewhere, { 'braid-project': 'shop' })).status, route).toBe(404);
      expect((await call(keyOf.owner!, method, `${elsewhere}?project=shop`)).status, route).toBe(404);
      if (elsewhere !== concrete(path)) expect((await call(keyOf.owner!, method, elsewhere)).status, route).toBe(404);
    }
  });

  it("keeps administrators' routes to administrators", async () => {
    for (const role of ROLES) {
      expect((await call(keyOf[role]!, 'GET', '/metrics')).status).toBe(403);
    }
    expect((await call(TOKEN, 'GET', '/metrics')).status).toBe(200);
  });

  it('tells a caller who it is, and refuses a revoked key', async () => {
    const me = await call(keyOf.editor!, 'GET', '/v1/whoami');
    expect(await me.json()).toEqual({ principal: expect.stringMatching(/^key:[0-9a-f]{16}$/), admin: false, roles: { default: 'editor' } });
    expect(await (await call(TOKEN, 'GET', '/v1/whoami')).json()).toEqual({ principal: 'api-token', admin: true, roles: {} });
    const id = /^braid_([0-9a-f]{16})_/.exec(keyOf.viewer!)![1]!;
    expect((await call(keyOf.operator!, 'DELETE', `/v1/keys/${id}`)).status).toBe(403);
    expect((await call(keyOf.owner!, 'DELETE', `/v1/keys/${id}`)).status).toBe(204);
    expect((await call(keyOf.viewer!, 'GET', '/v1/runs')).status).toBe(401);
  });

  it('lets an owner give roles only in projects it owns, and shows a key once', async () => {
    const post = (token: string, body: unknown) =>
      app.request('/v1/keys', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A project the owner does not own is refused before anything is looked up, whether it exists or not.
    expect((await post(keyOf.owner!, { name: 'x', roles: { shop: 'viewer' } })).status).toBe(403);
    expect((await post(TOKEN, { name: 'x', roles: { shop: 'viewer' } })).status).toBe(422);
    const made = await post(keyOf.owner!, { name: 'deploy', roles: { default: 'editor' } });
    expect(made.status).toBe(201);
    const { id, key } = (await made.json()) as { id: string; key: string };
    const listed = await (await call(keyOf.owner!, 'GET', '/v1/keys')).text();
    expect(listed).toContain(id);
    expect(listed).not.toContain(key);
    expect((await post(keyOf.owner!, { name: 'x', roles: { default: 'viewer' }, expiresAt: '2000-01-01T00:00:00Z' })).status).toBe(422);
    expect((await post(keyOf.owner!, { name: 'x', roles: { default: 'viewer' }, admin: true })).status).toBe(422);
  });

  it('lets a key sign in to the pages, with its own roles, and refuses a key that is not live', async () => {
    const form = (token: string) =>
      app.request('/ui/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
        body: new URLSearchParams({ token, next: '/runs' }).toString(),
      });
    const signedIn = await form(keyOf.editor!);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const me = await app.request('/v1/whoami', { headers: { cookie } });
    expect(await me.json()).toMatchObject({ principal: expect.stringMatching(/^key:/), admin: false, roles: { default: 'editor' } });
    expect((await app.request('/v1/audit', { headers: { cookie } })).status).toBe(403);
    expect((await form('braid_0123456789abcdef_' + 'x'.repeat(43))).status).toBe(401);
  });
});
