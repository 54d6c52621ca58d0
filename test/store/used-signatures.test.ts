/**
 * Used webhook signatures on a real PostgreSQL, as two API replicas share
 * them: a signature offered to both (a captured delivery replayed to the
 * other replica) is taken by exactly one, and rows past twice the window go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_TOLERANCE_S } from '../../src/api/webhook-verify';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createUsedSignatures } from '../../src/store/used-signatures';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let replicas: BraidDatabase[];
beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createDatabase('signatures');
  replicas = [await openDatabase({ kind: 'postgres', url }), await openDatabase({ kind: 'postgres', url })];
});
afterAll(async () => {
  for (const r of replicas ?? []) await r.close().catch(() => undefined);
  await postgres?.stop();
});

describe('used signatures shared by replicas', () => {
  it('lets one replica take each signature, however many offer it at once', async () => {
    const [a, b] = replicas.map((r) => createUsedSignatures(r.db));
    const now = 1_800_000_000;
    const keys = Array.from({ length: 40 }, (_, i) => `t=${now},v1=${i.toString(16).padStart(64, '0')}`);
    const taken = await Promise.all(keys.flatMap((k) => [a!.firstUse(k, now), b!.firstUse(k, now)]));
    for (let i = 0; i < keys.length; i++) expect([taken[2 * i], taken[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    expect(await b!.firstUse(keys[0]!, now + 10)).toBe(false);
    // Only a hash of the key is stored.
    const rows = await replicas[0]!.db.selectFrom('used_signatures').selectAll().execute();
    expect(rows).toHaveLength(keys.length);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash) && !keys.includes(r.key_hash))).toBe(true);
  });

  it('forgets signatures past twice the window (their timestamps are refused by then)', async () => {
    const fresh = createUsedSignatures(replicas[1]!.db);
    const later = 1_800_000_000 + SIGNATURE_TOLERANCE_S * 2 + 61;
    expect(await fresh.firstUse('another', later)).toBe(true);
    const rows = await replicas[0]!.db.selectFrom('used_signatures').select('key_hash').execute();
    expect(rows).toHaveLength(1);
  });
});
