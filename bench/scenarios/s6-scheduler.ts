/** S6: the scheduler alone, on layered DAGs of up to 100,000 nodes: CPU per 1,000 nodes, and validation time. */
import { buildGraph } from '../../src/graph/graph';
import { Scheduler } from '../../src/graph/scheduler';
import { validateDefinition } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';
import type { BenchContext } from '../context';
import { layered } from '../graphs';
import { round, stats } from '../stats';

export async function schedulerScenario(ctx: BenchContext): Promise<void> {
  const { quick, log, results, table } = ctx;
  log('S6: scheduler CPU');
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const S6: Record<string, unknown>[] = [];
  table.push('| S6 scheduler alone (layered DAG) | nodes | edges | schedule ms (median) | ms per 1k nodes |', '|---|---|---|---|---|');
  for (const n of sizes) {
    const def = layered(n);
    const g = buildGraph({ nodes: def.nodes, edges: def.edges ?? [] }, BUILT_IN_CATALOG);
    const times: number[] = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const t = performance.now();
      const s = new Scheduler(g);
      for (let batch = s.next(); batch.length; batch = s.next()) for (const node of batch) s.complete(node.index, { status: 'succeeded' });
      times.push(performance.now() - t);
    }
    let validateMs: number | undefined;
    if (n <= 5_000) {
      const tv = performance.now();
      validateDefinition(def, BUILT_IN_CATALOG);
      validateMs = round(performance.now() - tv);
    }
    const med = stats(times).median;
    S6.push({ nodes: n, edges: g.edges.length, scheduleMs: round(med, 2), msPer1k: round(med / (n / 1000), 3), validateMs });
    table.push(`| | ${n} | ${g.edges.length} | ${round(med, 2)} | ${round(med / (n / 1000), 3)} |`);
  }
  results.S6 = S6;
  table.push('');
}
