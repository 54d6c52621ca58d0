import { createHmac } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { signatureMatches } from '../../src/api/routes/hooks';
import { problemSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import type { Database } from '../../src/store/tables';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import { freePort } from '../../src/temporal/free-port';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { canonicalJson, contentVersion } from '../../src/api/saved-workflows';

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

describe('webhook signatures', () => {
  const body = Buffer.from('{"orderId":42}');
  const good = `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the exact body, in either hex case', () => {
    expect(signatureMatches('k', body, good)).toBe(true);
    expect(signatureMatches('k', body, good.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no scheme', good.slice(7)],
    ['other scheme', good.replace('sha256', 'sha1')],
    ['truncated', good.slice(0, -2)],
    ['another key', `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`],
  ])('refuses a %s signature', (_name, header) => {
    expect(signatureMatches('k', body, header)).toBe(false);
  });

  it('refuses a signature of another body', () => {
    expect(signatureMatches('k', Buffer.from('{"orderId":43}'), good)).toBe(false);
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
