/** S4: depth. A chain of 0 ms http nodes: Braid's cost per hop over hand-written Temporal's. */
import type { BenchContext } from '../context';
import { chain } from '../graphs';
import { round, stats } from '../stats';

export async function depthScenario(ctx: BenchContext): Promise<void> {
  const { base, quick, log, runBraid, runHand, countFailures, results, table, goals } = ctx;
  log('S4: depth');
  const depths = quick ? [10, 50] : [10, 100, 500];
  const S4: Record<string, unknown>[] = [];
  table.push('| S4 depth (chain of 0 ms http nodes) | Braid ms/hop | hand-written ms/hop | overhead ms/hop | Braid local ms/hop |', '|---|---|---|---|---|');
  for (const d of depths) {
    const b: number[] = [];
    const h: number[] = [];
    const l: number[] = [];
    const n = quick ? 1 : d >= 500 ? 2 : 3;
    for (let i = 0; i < n; i++) {
      const r = await runBraid(chain(base, d));
      b.push(r.ms / d);
      if (i === 0) await countFailures('S4', r.id);
      h.push((await runHand('handChain', [base, d])) / d);
      l.push((await runBraid(chain(base, d, 'local'))).ms / d);
    }
    const row = { depth: d, braidMsPerHop: round(stats(b).median, 2), handMsPerHop: round(stats(h).median, 2), localMsPerHop: round(stats(l).median, 2) };
    const overhead = round(row.braidMsPerHop - row.handMsPerHop, 2);
    S4.push({ ...row, overheadMsPerHop: overhead });
    table.push(`| ${d} | ${row.braidMsPerHop} | ${row.handMsPerHop} | ${overhead} | ${row.localMsPerHop} |`);
    if (d === depths.at(-1)) {
      goals.push({
        scenario: `S4 chain of ${d}`,
        goal: 'Braid − hand-written ≤ 1 ms per hop',
        measured: `${overhead} ms/hop (${row.braidMsPerHop} vs ${row.handMsPerHop})`,
        met: overhead <= 1,
      });
      goals.push({
        scenario: `S4 chain of ${d}, execution local`,
        goal: '≤ 10 ms per hop',
        measured: `${row.localMsPerHop} ms/hop`,
        met: row.localMsPerHop <= 10,
      });
    }
  }
  results.S4 = S4;
  table.push('');
}
