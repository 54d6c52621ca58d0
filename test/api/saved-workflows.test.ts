import type { Client } from '@temporalio/client';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { problemSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import type { Database } from '../../src/store/tables';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import { freePort } from '../../src/temporal/free-port';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { canonicalJson, contentVersion } from '../../src/runs/saved-workflows';

describe('content versions', () => {
  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('equal content has one version whatever the key order; any change makes another', () => {
    const a = { name: 'n', nodes: [{ id: 't', type: 'trigger', position: { x: 1, y: 2 } }], edges: [] };
    const b = { edges: [], nodes: [{ position: { y: 2, x: 1 }, type: 'trigger', id: 't' }], name: 'n' };
    expect(contentVersion(a)).toBe(contentVersion(b));
    expect(contentVersion(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(contentVersion({ ...a, nodes: [{ ...a.nodes[0], position: { x: 1, y: 3 } }] })).not.toBe(contentVersion(a));
  });
});

describe('when the database is down', () => {
  it('saved-workflow routes answer 503 database-unavailable, never a 500, and the run API is unaffected', async () => {
    const port = await freePort();
    const pool = new pg.Pool({ connectionString: `postgres://braid@127.0.0.1:${port}/none`, connectionTimeoutMillis: 1_000 });
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const fake = createFakeRunStore();
    const app = createApp({
      client: {} as Client,
      config: { namespace: 'default', taskQueue: 'q', temporalUiUrl: 'http://ui', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
      logger: silentLogger,
      runStore: fake.store,
      repository: createWorkflowRepository(db),
    });
    try {
      for (const [method, path, body] of [
        ['GET', '/v1/workflows'],
        ['GET', '/v1/workflows/orders'],
        ['PUT', '/v1/workflows/orders', { nodes: [{ id: 't', type: 'trigger' }] }],
        ['POST', '/v1/workflows/orders/runs', {}],
        ['POST', '/v1/hooks/orders', {}],
      ] as const) {
        const res = await app.request(path, {
          method,
          ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(problemSchema.parse(await res.json()).type).toBe('/problems/database-unavailable');
      }
      const run = await app.request('/v1/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: { nodes: [{ id: 't', type: 'trigger' }] } }),
      });
      expect(run.status).toBe(201);
    } finally {
      await db.destroy();
    }
  });
});
