/**
 * What each node of a saved workflow took in its succeeded runs (its own
 * time, `runMs`), kept in Braid's database so a run whose `maxParallel` can
 * bind starts its longest remaining path first with learned weights
 * (src/graph/start-order.ts). A run's rows are written once, by whichever API
 * replica reads it first; each node's estimate is the median of its newest 20.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

/** Succeeded runs a node's median is taken over. */
export const LEARNED_RUNS = 20;

export interface NodeDurations {
  /** Records a succeeded run's node times (nothing when the run was recorded before). */
  record(workflow: string, runId: string, finishedAt: string, runMs: Readonly<Record<string, number>>): Promise<void>;
  /** When the newest recorded run of the workflow finished (ISO), if any. */
  newest(workflow: string): Promise<string | undefined>;
  /** Each node's median runMs over the workflow's newest LEARNED_RUNS recorded runs. */
  medians(workflow: string): Promise<Record<string, number>>;
}

export function createNodeDurations(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): NodeDurations {
  return {
    async record(workflow, runId, finishedAt, runMs) {
      const rows = Object.entries(runMs)
        .filter(([, ms]) => Number.isFinite(ms) && ms >= 0)
        .map(([nodeId, ms]) => ({ workflow_name: workflow, run_id: runId, node_id: nodeId, run_ms: ms, finished_at: finishedAt }));
      if (rows.length === 0) return;
      const db = await dbOrPromise;
      await db
        .insertInto('node_durations')
        .values(rows)
        .onConflict((oc) => oc.columns(['run_id', 'node_id']).doNothing())
        .execute();
    },
    async newest(workflow) {
      const db = await dbOrPromise;
      const row = await db
        .selectFrom('node_durations')
        .select('finished_at')
        .where('workflow_name', '=', workflow)
        .orderBy('finished_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.finished_at;
    },
    async medians(workflow) {
      const db = await dbOrPromise;
      const runs = await db
        .selectFrom('node_durations')
        .select(['run_id', 'finished_at'])
        .distinct()
        .where('workflow_name', '=', workflow)
        .orderBy('finished_at', 'desc')
        .limit(LEARNED_RUNS)
        .execute();
      if (runs.length === 0) return {};
      const rows = await db
        .selectFrom('node_durations')
        .select(['node_id', 'run_ms'])
        .where(
          'run_id',
          'in',
          runs.map((r) => r.run_id),
        )
        .execute();
      const byNode = new Map<string, number[]>();
      for (const r of rows) byNode.set(r.node_id, [...(byNode.get(r.node_id) ?? []), Number(r.run_ms)]);
      return Object.fromEntries([...byNode].map(([node, ms]) => [node, median(ms)]));
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
