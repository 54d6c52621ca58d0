/**
 * Short retries: a node that fails twice (HTTP 503) and succeeds on its third
 * attempt, with `initialInterval: "100ms"` and backoff 1, as an activity and
 * as a local activity. An activity node's time is its own start to end in
 * the run's state (self-reported); a local node's is the whole run as the
 * client sees it (workflow time stands still while local attempts run). The
 * floor is the two 100 ms waits.
 */
import type { BenchContext } from '../context';
import { round, stats } from '../stats';
import { flaky } from '../graphs';

export async function retryScenario(ctx: BenchContext): Promise<void> {
  const { base, reps, log, runBraid, results, table, goals } = ctx;
  log('retry: two failures at 100 ms, backoff 1');
  const row: Record<string, ReturnType<typeof stats>> = {};
  for (const execution of ['activity', 'local'] as const) {
    const took: number[] = [];
    for (let i = 0; i < reps; i++) {
      const { state, ms } = await runBraid(flaky(`${base}/flaky/retry-${execution}-${Date.now()}-${i}/2`, execution));
      const node = state.nodes.flaky!;
      if (node.status !== 'succeeded' || node.attempts !== 3)
        throw new Error(`retry bench: expected 3 attempts and success, got ${node.status} after ${node.attempts}`);
      took.push(execution === 'local' ? ms : Date.parse(node.finishedAt!) - Date.parse(node.startedAt!));
    }
    row[execution] = stats(took);
  }
  results.retry = row;
  table.push('| Retry: 2 failures, initialInterval 100 ms, backoff 1 | median ms | p95 ms |', '|---|---|---|');
  table.push(`| activity: node start → end (self-reported) | ${round(row.activity!.median)} | ${round(row.activity!.p95)} |`);
  table.push(`| local activity: the whole run (client-observed) | ${round(row.local!.median)} | ${round(row.local!.p95)} |`, '');
  goals.push({
    scenario: 'retry, 2 failures at 100 ms, backoff 1',
    goal: 'node done ≤ 450 ms after it started',
    measured: `${round(row.activity!.median)} ms (activity node); ${round(row.local!.median)} ms for the whole local run`,
    met: row.activity!.median <= 450,
  });
}
