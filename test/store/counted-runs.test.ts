/**
 * Counted runs on a real PostgreSQL, as two API replicas share them: of two
 * replicas claiming the same finished run, exactly one wins; and /readyz's
 * database check turns 503 while the database is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabaseCheck } from '../../src/api/readiness';
import { createCountedRuns } from '../../src/store/counted-runs';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let replicas: BraidDatabase[];
beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createDatabase('counted');
  replicas = [await openDatabase({ kind: 'postgres', url }), await openDatabase({ kind: 'postgres', url })];
});
afterAll(async () => {
  for (const r of replicas ?? []) await r.close().catch(() => undefined);
  await postgres?.stop();
});

describe('counted runs shared by replicas', () => {
  it('lets exactly one replica claim each run, however many ask at once', async () => {
    const [a, b] = replicas.map((r) => createCountedRuns(r.db));
    const ids = Array.from({ length: 50 }, (_, i) => `run-${i}`);
    const claims = await Promise.all(ids.flatMap((id) => [a!.claim(id), b!.claim(id)]));
    for (let i = 0; i < ids.length; i++) expect([claims[2 * i], claims[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    expect(await a!.claim('run-0')).toBe(false);
    expect(await b!.claim('run-new')).toBe(true);
  });

  it('makes /readyz not ready while the database is unreachable', async () => {
    const counted = createCountedRuns(replicas[0]!.db);
    const temporalReady = async () => ({ ready: true, checks: { temporal: { ok: true } } });
    const readiness = withDatabaseCheck(temporalReady, counted.ping, 2_000);
    expect(await readiness()).toEqual({ ready: true, checks: { temporal: { ok: true }, database: { ok: true } } });
    await postgres.stop();
    const down = await readiness();
    expect(down.ready).toBe(false);
    expect(down.checks.database).toMatchObject({ ok: false, detail: expect.stringContaining('unreachable') });
  });
});
