/**
 * Which finished runs have been counted in `/metrics`, shared by every API
 * replica through Braid's database. Each replica reads the runs that closed
 * since its last scrape; the one whose insert of a run's row succeeds counts
 * it, the others skip it, so `sum(braid_runs_finished_total)` over replicas
 * counts each run once (as Prometheus sums instances). Rows older than a day
 * are dropped: a replica only ever reads runs closed since it started, less a
 * minute.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from './tables';

export const COUNTED_RUNS_KEPT_MS = 24 * 3600 * 1000;

export interface CountedRuns {
  /** True when this call claimed the run (count it); false when another did. */
  claim(runId: string): Promise<boolean>;
  /** Answers when the database does (readiness). */
  ping(): Promise<void>;
}

export function createCountedRuns(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): CountedRuns {
  let lastPrune = 0;
  return {
    async claim(runId) {
      const db = await dbOrPromise;
      const now = Date.now();
      if (now - lastPrune > 3600_000) {
        lastPrune = now;
        await db
          .deleteFrom('counted_runs')
          .where('counted_at', '<', new Date(now - COUNTED_RUNS_KEPT_MS).toISOString())
          .execute();
      }
      const result = await db
        .insertInto('counted_runs')
        .values({ run_id: runId, counted_at: new Date(now).toISOString() })
        .onConflict((oc) => oc.column('run_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async ping() {
      await sql`select 1`.execute(await dbOrPromise);
    },
  };
}
