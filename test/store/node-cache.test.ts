/**
 * The node result cache on both backends (SQLite and a real PostgreSQL): an
 * entry answers until it expires, a newer store replaces it, expired rows
 * go, and an output too large to keep is not stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimCheckCodec, diskStore } from '../../src/codec/claim-check';
import { chainCodecs, encryptionCodec } from '../../src/codec/data-converter';
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

describe("node cache with the worker's payload codecs", () => {
  it('stores outputs encrypted, and large ones in the payload store with only a reference in the row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'braid-cache-blobs-'));
    try {
      const codec = chainCodecs([encryptionCodec(randomBytes(32).toString('base64'), 'k1'), new ClaimCheckCodec(diskStore(dir), 1024)]);
      const { db } = backends.find((b) => b.name === 'sqlite')!.db;
      const cache = createNodeCache(db, codec);
      const big = { body: 'secret report '.repeat(200_000) };
      expect(await cache.put('enc-big', big, 'run-1', 60_000, t0)).toBe(true);
      expect(await cache.put('enc-small', { body: 'secret small' }, 'run-1', 60_000, t0)).toBe(true);
      const rows = await db.selectFrom('node_cache').select(['cache_key', 'output']).where('cache_key', 'in', ['enc-big', 'enc-small']).execute();
      for (const r of rows) {
        expect(r.output.startsWith('payload:')).toBe(true);
        expect(r.output).not.toContain('secret');
      }
      // The 2.8 MB output is claim-checked: the row holds a reference, not the bytes.
      expect(rows.find((r) => r.cache_key === 'enc-big')!.output.length).toBeLessThan(2_000);
      expect(await cache.get('enc-big', t0)).toMatchObject({ output: big });
      expect(await cache.get('enc-small', t0)).toMatchObject({ output: { body: 'secret small' } });
      // A worker without the codecs cannot read them: the lookup fails (and the interpreter counts it a miss).
      await expect(createNodeCache(db).get('enc-small', t0)).rejects.toThrow(/no payload codecs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cache keys', () => {
  it('hash the same data the same whatever its key order, and different data differently', () => {
    expect(cacheKey({ type: 'http', data: { url: 'u', method: 'GET' } })).toBe(cacheKey({ data: { method: 'GET', url: 'u' }, type: 'http' }));
    expect(cacheKey({ type: 'http', data: { url: 'u' } })).not.toBe(cacheKey({ type: 'http', data: { url: 'v' } }));
    expect(cacheKey({ key: 'a' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
