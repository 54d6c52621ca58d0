/** S3: width. N siblings of 50 ms, on the tuned and the untuned server, against hand-written Temporal and the in-memory floor. */
import type { BenchContext } from '../context';
import { fanOut } from '../graphs';
import type { Stats } from '../stats';
import { round, stats } from '../stats';
import { countWorkflowTaskFailures } from '../../test/helpers/history';

export async function widthScenario(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const { base, quick, log, runBraid, runHand, runHandOn, historyStats, get, untunedClient, results, table, goals, taskFailures } = ctx;
  log('S3: width');
  const widths = quick ? [10, 100] : [10, 100, 1000];
  const S3: Record<string, unknown>[] = [];
  table.push(
    '| S3 width (siblings of 50 ms) | Braid activities ms | Braid local ms | hand-written ms | in-memory floor ms | Braid / hand | untuned server: Braid ms | untuned: hand-written ms | WorkflowTaskFailed Braid (tuned / untuned) | WorkflowTaskFailed hand (untuned) | largest history (events) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const w of widths) {
    const n = quick ? 1 : 5;
    const m = {
      braid: [] as number[],
      local: [] as number[],
      hand: [] as number[],
      memory: [] as number[],
      untuned: [] as number[],
      untunedHand: [] as number[],
    };
    const failures = { braid: 0, untuned: 0, untunedHand: 0 };
    let largest = 0;
    for (let i = 0; i < n; i++) {
      const r = await runBraid(fanOut(base, w, 0, 50));
      m.braid.push(r.ms);
      const h = await historyStats(r.id);
      largest = Math.max(largest, h.events);
      failures.braid += h.failures;
      m.local.push((await runBraid(fanOut(base, w, 0, 50, 'parallel', 'local'))).ms);
      m.hand.push(await runHand('handWide', [base, w, 50]));
      const t0 = performance.now();
      await get(`${base}/delay/0`);
      await Promise.all(Array.from({ length: w }, () => get(`${base}/delay/50`)));
      m.memory.push(performance.now() - t0);
      const u = await runBraid(fanOut(base, w, 0, 50), undefined, untunedClient);
      m.untuned.push(u.ms);
      failures.untuned += (await historyStats(u.id, untunedClient)).failures;
      const uh = await runHandOn(untunedClient, 'handWide', [base, w, 50]);
      m.untunedHand.push(uh.ms);
      failures.untunedHand += (await countWorkflowTaskFailures(untunedClient, uh.id)).total;
    }
    taskFailures[`S3 ${w} Braid`] = failures.braid;
    taskFailures[`S3 ${w} Braid untuned`] = failures.untuned;
    taskFailures[`S3 ${w} hand-written untuned`] = failures.untunedHand;
    const med = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, stats(v)])) as Record<keyof typeof m, Stats>;
    const ratio = round(med.braid.median / med.hand.median, 3);
    const row = {
      width: w,
      ...med,
      braidOverHand: ratio,
      untunedBraidOverHand: round(med.untuned.median / med.untunedHand.median, 3),
      workflowTaskFailed: failures,
      largestHistory: largest,
      nodesPerSecond: round((w + 1) / (med.braid.median / 1000)),
    };
    S3.push(row);
    table.push(
      `| ${w} | ${round(med.braid.median)} | ${round(med.local.median)} | ${round(med.hand.median)} | ${round(med.memory.median)} | ${ratio} | ${round(med.untuned.median)} | ${round(med.untunedHand.median)} | ${failures.braid} / ${failures.untuned} | ${failures.untunedHand} | ${largest} |`,
    );
    if (w === 1000) {
      goals.push({
        scenario: 'S3 1,000-wide × 50 ms, execution local',
        goal: '≤ 2 s',
        measured: `${round(med.local.median)} ms`,
        met: med.local.median <= 2000,
      });
      goals.push({
        scenario: 'S3 1,000-wide × 50 ms, activities',
        goal: '≤ 1.1× hand-written',
        measured: `${ratio}× (${round(med.braid.median)} / ${round(med.hand.median)} ms); untuned server ${row.untunedBraidOverHand}×`,
        met: ratio <= 1.1,
      });
      goals.push({
        scenario: 'S3 1,000-wide, WorkflowTaskFailed',
        goal: '0, untuned server included',
        measured: `${failures.braid} tuned, ${failures.untuned} untuned (hand-written on the untuned server: ${failures.untunedHand})`,
        met: failures.braid === 0 && failures.untuned === 0,
      });
    }
  }
  results.S3 = S3;
  table.push('');
  return S3;
}
