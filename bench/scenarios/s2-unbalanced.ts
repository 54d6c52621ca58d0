/** S2: an unbalanced DAG (critical path 400 ms) against an executor that waits for each level. */
import type { BenchContext } from '../context';
import { unbalanced } from '../graphs';
import { round, stats } from '../stats';

export async function unbalancedScenario(ctx: BenchContext): Promise<{ braid: number[]; levels: number[] }> {
  const { base, reps, log, runBraid, get, results, table } = ctx;
  log('S2: unbalanced DAG');
  const s2 = { braid: [] as number[], levels: [] as number[] };
  for (let i = 0; i < reps; i++) {
    s2.braid.push((await runBraid(unbalanced(base))).ms);
    const t0 = performance.now();
    for (const level of [[100, 300], [100, 200], [100], [], [100]]) await Promise.all(level.map((ms) => get(`${base}/delay/${ms}`)));
    s2.levels.push(performance.now() - t0);
  }
  results.S2 = { criticalPathMs: 400, braid: stats(s2.braid), levelByLevel: stats(s2.levels), braidOverCriticalPath: round(stats(s2.braid).median / 400, 3) };
  table.push('| S2 unbalanced DAG, CP 400 ms | median ms | p95 ms | × critical path |', '|---|---|---|---|');
  table.push(`| Braid | ${round(stats(s2.braid).median)} | ${round(stats(s2.braid).p95)} | ${round(stats(s2.braid).median / 400, 3)} |`);
  table.push(
    `| level-by-level executor (barrier per depth) | ${round(stats(s2.levels).median)} | ${round(stats(s2.levels).p95)} | ${round(stats(s2.levels).median / 400, 3)} |`,
    '',
  );
  return s2;
}
