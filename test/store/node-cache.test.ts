/**
 * The node result cache on both backends (SQLite and a real PostgreSQL): an
 * entry answers until it expires, a newer store replaces it, expired rows
 * go, and an output too large to keep is not stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../activities/node-cache';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createNodeCache, MAX_CACHED_BYTES } from '../../src/store/node-cache';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
const backends: { name: string; db: BraidDatabase }[] = [];
beforeAll(async () => {
  postgres = await startPostgres();
  backends.push({ name: 'sqlite', db: await openDatabase({ kind: 'sqlite', file: ':memory:' }) });
  backends.push({ name: 'postgres', db: await openDatabase({ kind: 'postgres', url: await postgres.createDatabase('nodecache') }) });
});
afterAll(async () => {
  for (const b of backends) await b.db.close().catch(() => undefined);
  await postgres?.stop();
});

const t0 = new Date(Date.UTC(2026, 11, 5, 12, 0, 0));
const later = (ms: number) => new Date(t0.getTime() + ms);

describe.each(['sqlite', 'postgres'])('node cache on %s', (name) => {
  it('answers until the entry expires; a newer store replaces it; expired rows go', async () => {
    const { db } = backends.find((b) => b.name === name)!;
    const cache = createNodeCache(db.db);
    expect(await cache.get('k1', t0)).toBeUndefined();
    expect(await cache.put('k1', { body: [1, 2] }, 'run-1', 60_000, t0)).toBe(true);
    expect(await cache.get('k1', later(59_999))).toEqual({ output: { body: [1, 2] }, at: t0.toISOString(), runId: 'run-1' });
    expect(await cache.get('k1', later(60_000))).toBeUndefined();
    await cache.put('k1', 'second', 'run-2', 1_000, later(1_000));
    expect(await cache.get('k1', later(1_500))).toMatchObject({ output: 'second', runId: 'run-2' });
    // Storing at t0 + 3 s removes what expired by then.
    await cache.put('k2', null, 'run-3', 1_000, later(3_000));
    expect(await db.db.selectFrom('node_cache').select('cache_key').execute()).toEqual([{ cache_key: 'k2' }]);
    expect(await cache.get('k2', later(3_100))).toMatchObject({ output: null });
  });

  it('does not keep an output larger than the limit', async () => {
    const cache = createNodeCache(backends.find((b) => b.name === name)!.db.db);
    expect(await cache.put('big', 'x'.repeat(MAX_CACHED_BYTES), 'run-1', 60_000, t0)).toBe(false);
    expect(await cache.get('big', t0)).toBeUndefined();
  });
});

describe('cache keys', () => {
  it('hash the same data the same whatever its key order, and different data differently', () => {
    expect(cacheKey({ type: 'http', data: { url: 'u', method: 'GET' } })).toBe(cacheKey({ data: { method: 'GET', url: 'u' }, type: 'http' }));
    expect(cacheKey({ type: 'http', data: { url: 'u' } })).not.toBe(cacheKey({ type: 'http', data: { url: 'v' } }));
    expect(cacheKey({ key: 'a' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
