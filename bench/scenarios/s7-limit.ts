/**
 * S7, "limit binds": six 300 ms nodes listed before one 2 s node, all after the
 * trigger, `maxParallel: 2`. Definition order takes ~2.9 s (three waves of
 * short nodes, then the long one); starting the long node first ~2.0 s, the
 * optimal schedule. Through the API as its own process (saved workflows and
 * learned durations in its database), POST → finished run with
 * `Prefer: wait=60`, client-observed:
 *
 * - definition order: every node with the same `estimate` (all tie);
 * - with `estimate` fields: a first run that knows the durations;
 * - a saved workflow's first run (nothing known: depth ties, definition order)
 *   and its second (durations learned from the first).
 */
import type { GraphDefinition } from '../../src/graph/schema';
import type { RunSummary } from '../../src/runs/run-view';
import { freePort } from '../../src/temporal/free-port';
import type { BenchContext } from '../context';
import { TASK_QUEUE } from '../context';
import { round } from '../stats';
import { postAndWait, startApiProcess } from '../watching';
import { stackAuth } from '../../test/helpers/stack-token';

const OPTIMAL_MS = 2000;

function limitBinds(base: string, estimates?: { short: string; long: string }): GraphDefinition {
  const shorts = ['s1', 's2', 's3', 's4', 's5', 's6'];
  const http = (id: string, ms: number, estimate?: string) => ({ id, type: 'http', data: { url: `${base}/delay/${ms}` }, ...(estimate ? { estimate } : {}) });
  return {
    name: 's7-limit-binds',
    nodes: [{ id: 'start', type: 'trigger' }, ...shorts.map((id) => http(id, 300, estimates?.short)), http('long', 2000, estimates?.long)],
    edges: [...shorts, 'long'].map((target) => ({ source: 'start', target })),
    settings: { maxParallel: 2 },
  };
}

export async function limitScenario(ctx: BenchContext): Promise<void> {
  const { base, log, server, results, table, goals } = ctx;
  log('S7: limit binds (critical path first)');
  const api = await startApiProcess(server.address, TASK_QUEUE, await freePort());
  try {
    const timed = (path: string, body: unknown) => postAndWait(api.url, path, body);
    const definitionOrder = await timed('/v1/runs', { workflow: limitBinds(base, { short: '1s', long: '1s' }) });
    const withEstimates = await timed('/v1/runs', { workflow: limitBinds(base, { short: '300ms', long: '2s' }) });
    const name = `s7-${Date.now().toString(36)}`;
    const put = await fetch(`${api.url}/v1/workflows/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...stackAuth },
      body: JSON.stringify(limitBinds(base)),
    });
    if (put.status !== 201) throw new Error(`S7: saving the workflow answered ${put.status}`);
    const firstSaved = await timed(`/v1/workflows/${name}/runs`, {});
    // The next start learns from the first run once Temporal's visibility lists it.
    for (let i = 0; i < 100; i++) {
      const list = (await (await fetch(`${api.url}/v1/runs?workflow=${name}&status=succeeded`, { headers: stackAuth })).json()) as { runs: RunSummary[] };
      if (list.runs.some((r) => r.runId === firstSaved.runId)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const learned = await timed(`/v1/workflows/${name}/runs`, {});
    const row = (label: string, ms: number) => `| ${label} | ${round(ms)} | ${round(ms / OPTIMAL_MS, 3)} |`;
    results.S7 = {
      optimalMs: OPTIMAL_MS,
      definitionOrderMs: round(definitionOrder.ms),
      withEstimatesMs: round(withEstimates.ms),
      savedFirstRunMs: round(firstSaved.ms),
      learnedMs: round(learned.ms),
    };
    table.push('| S7 limit binds (6 × 300 ms listed before 1 × 2 s, maxParallel 2; POST → finished run) | ms | × optimal (2.0 s) |', '|---|---|---|');
    table.push(row('definition order (all estimates equal)', definitionOrder.ms));
    table.push(row('first run with `estimate` fields', withEstimates.ms));
    table.push(row("saved workflow's first run (nothing known: depth)", firstSaved.ms));
    table.push(row('its second run (durations learned from the first)', learned.ms), '');
    goals.push({
      scenario: 'S7 after one run (learned)',
      goal: '≤ 1.05 × optimal (2.0 s)',
      measured: `${round(learned.ms / OPTIMAL_MS, 3)}× (${round(learned.ms)} ms; definition order ${round(definitionOrder.ms)} ms)`,
      met: learned.ms <= 1.05 * OPTIMAL_MS,
    });
    goals.push({
      scenario: 'S7 first run with estimate fields',
      goal: '≤ 1.05 × optimal',
      measured: `${round(withEstimates.ms / OPTIMAL_MS, 3)}× (${round(withEstimates.ms)} ms)`,
      met: withEstimates.ms <= 1.05 * OPTIMAL_MS,
    });
  } finally {
    api.stop();
  }
}
