/**
 * S1, the case of the executor Braid replaces: 100 ms, then five 200 ms
 * branches side by side (critical path 300 ms). Braid with activities and
 * with local activities, the same written by hand on Temporal, the
 * in-memory floor, and Braid's sequential strategy.
 */
import type { RunState } from '../../src/graph/run-state';
import type { BenchContext } from '../context';
import { fanOut } from '../graphs';
import type { Stats } from '../stats';
import { round, stats } from '../stats';

export async function fanOutScenario(
  ctx: BenchContext,
): Promise<{ S1: Record<string, Stats & { efficiency: number }>; timeline: { parallel?: RunState; sequential?: RunState } }> {
  const { base, reps, log, runBraid, runHand, countFailures, get, results, table, goals } = ctx;
  log("S1: the old executor's case");
  const cp1 = 300;
  const s1 = { braid: [] as number[], local: [] as number[], hand: [] as number[], memory: [] as number[], sequential: [] as number[] };
  let s1Timeline: { parallel?: RunState; sequential?: RunState } = {};
  /** The local runs' own account (the run state's metrics): wall from the workflow's start to its end, and work/wall. */
  const selfReported = { wallMs: [] as number[], efficiency: [] as number[] };
  for (let i = 0; i < reps; i++) {
    const p = await runBraid(fanOut(base));
    s1.braid.push(p.ms);
    if (i === 0) await countFailures('S1', p.id);
    const l = await runBraid(fanOut(base, 5, 100, 200, 'parallel', 'local'));
    s1.local.push(l.ms);
    selfReported.wallMs.push(l.state.metrics.wallMs);
    selfReported.efficiency.push(l.state.metrics.efficiency);
    if (i === 0) await countFailures('S1 local', l.id);
    s1.hand.push(await runHand('handFanOut', [base, 100, 5, 200]));
    const t0 = performance.now();
    await get(`${base}/delay/100`);
    await Promise.all(Array.from({ length: 5 }, () => get(`${base}/delay/200`)));
    s1.memory.push(performance.now() - t0);
    const sq = await runBraid(fanOut(base, 5, 100, 200, 'sequential'));
    s1.sequential.push(sq.ms);
    if (i === reps - 1) s1Timeline = { parallel: p.state, sequential: sq.state };
  }
  const S1 = Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, { ...stats(v), efficiency: round(cp1 / stats(v).median, 3) }]));
  const speedup = round(stats(s1.sequential).median / stats(s1.braid).median, 2);
  results.S1 = { criticalPathMs: cp1, ...S1, speedupSequentialOverBraid: speedup, braidOverHand: round(stats(s1.braid).median / stats(s1.hand).median, 3) };
  table.push('| S1 fan-out (100 ms → 5 × 200 ms), CP 300 ms | median ms | p95 ms | efficiency |', '|---|---|---|---|');
  for (const [k, label] of [
    ['braid', '(a) Braid, activities'],
    ['local', '(a′) Braid, execution local'],
    ['hand', '(b) hand-written Temporal, Promise.all'],
    ['memory', '(c) in-memory Promise.all, no Temporal'],
    ['sequential', '(d) Braid, strategy sequential'],
  ] as const) {
    const s = S1[k] as Stats & { efficiency: number };
    table.push(`| ${label} | ${round(s.median)} | ${round(s.p95)} | ${s.efficiency} |`);
  }
  const s1Local = S1.local as Stats & { efficiency: number };
  const own = { wallMs: stats(selfReported.wallMs).median, efficiency: stats(selfReported.efficiency).median };
  results.S1 = { ...(results.S1 as object), localSelfReported: own };
  table.push(`| (a′) self-reported by the run (its metrics: workflow start → end) | ${round(own.wallMs)} | | ${round(own.efficiency, 3)} |`);
  table.push(`| speed-up (d)/(a) | ${speedup}× | Braid / hand-written | ${(results.S1 as { braidOverHand: number }).braidOverHand} |`, '');
  goals.push({
    scenario: 'S1, execution local, self-reported',
    goal: 'efficiency ≥ 0.95',
    measured: `${round(own.efficiency, 3)} (wall ${round(own.wallMs)} ms; client-observed ${round(s1Local.median)} ms)`,
    met: own.efficiency >= 0.95,
  });
  const s1Ratio = (results.S1 as { braidOverHand: number }).braidOverHand;
  goals.push({
    scenario: 'S1, activities',
    goal: 'Braid / hand-written ≤ 1.03',
    measured: `${s1Ratio} (${round(stats(s1.braid).median)} / ${round(stats(s1.hand).median)} ms)`,
    met: s1Ratio <= 1.03,
  });
  return { S1, timeline: s1Timeline };
}
