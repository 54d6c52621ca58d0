/**
 * Learned node durations on both backends (SQLite and a real PostgreSQL): a
 * run's rows are written once however many replicas record it, and each
 * node's estimate is its median over the newest 20 runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createNodeDurations, LEARNED_RUNS } from '../../src/store/node-durations';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
const backends: { name: string; db: BraidDatabase }[] = [];
beforeAll(async () => {
  postgres = await startPostgres();
  backends.push({ name: 'sqlite', db: await openDatabase({ kind: 'sqlite', file: ':memory:' }) });
  backends.push({ name: 'postgres', db: await openDatabase({ kind: 'postgres', url: await postgres.createDatabase('durations') }) });
});
afterAll(async () => {
  for (const b of backends) await b.db.close().catch(() => undefined);
  await postgres?.stop();
});

const at = (i: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, i)).toISOString();

describe.each(['sqlite', 'postgres'])('node durations on %s', (name) => {
  it('gives each node the median of its newest 20 runs, and records a run once', async () => {
    const durations = createNodeDurations(backends.find((b) => b.name === name)!.db.db);
    expect(await durations.medians('s7')).toEqual({});
    expect(await durations.newest('s7')).toBeUndefined();
    // 25 runs: `long` took 1000 + i ms in run i; `short` always 300. The newest 20 are runs 5–24.
    for (let i = 0; i < 25; i++) await durations.record('s7', `s7-${i}`, at(i), { long: 1000 + i, short: 300 });
    // Recorded again (another replica, or a second read): nothing changes.
    await durations.record('s7', 's7-24', at(24), { long: 99_999, short: 1 });
    await durations.record('other', 'other-1', at(30), { long: 5 });
    expect(LEARNED_RUNS).toBe(20);
    expect(await durations.medians('s7')).toEqual({ long: 1014.5, short: 300 });
    expect(await durations.newest('s7')).toBe(at(24));
    expect(await durations.medians('other')).toEqual({ long: 5 });
  });
});
