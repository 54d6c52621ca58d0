/**
 * The chaos runner's redrive pass: once every run has ended and the faults
 * stopped, a share of the failed runs is redriven (POST …/redrive), and every
 * node the redrive reused must not reach the target again (its requests still
 * carry the original run's id in their path, so they count where the
 * original's did). Bounded: at most `max` runs, each given `timeoutMs` to end.
 */
import type { RunView } from '../../src/runs/run-store';
import type { Violation } from './invariants';
import { stackAuth } from '../../test/helpers/stack-token';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'terminated', 'timed_out']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RedrivePass {
  redriven: number;
  reusedNodes: number;
  violations: Violation[];
}

export async function redriveShare(
  api: string,
  views: ReadonlyMap<string, Pick<RunView, 'status'>>,
  hits: (runId: string, nodeId: string) => number[],
  opts: { every?: number; max?: number; timeoutMs?: number } = {},
): Promise<RedrivePass> {
  const failed = [...views].filter(([, v]) => v.status === 'failed').map(([id]) => id);
  // Every third failed run, at most `max`: a share, spread over the whole run.
  const chosen = failed.filter((_, i) => i % (opts.every ?? 3) === 0).slice(0, opts.max ?? 10);
  const pass: RedrivePass = { redriven: 0, reusedNodes: 0, violations: [] };
  for (const runId of chosen) {
    const res = await fetch(`${api}/v1/runs/${encodeURIComponent(runId)}/redrive`, { method: 'POST', headers: stackAuth }).catch(() => undefined);
    if (res?.status !== 201) {
      pass.violations.push({
        invariant: 'redrive',
        runId,
        detail: `POST …/redrive answered ${res?.status ?? 'nothing'}: ${(await res?.text().catch(() => '')) ?? ''}`.slice(0, 300),
      });
      continue;
    }
    const { runId: newId, reused } = (await res.json()) as { runId: string; reused: string[] };
    // The original's requests per reused node, before the redrive could send any.
    const before = new Map(reused.map((id) => [id, hits(runId, id).length]));
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let ended = false;
    while (!ended && Date.now() < deadline) {
      const view = await fetch(`${api}/v1/runs/${encodeURIComponent(newId)}`, { headers: stackAuth })
        .then(async (r) => (r.status === 200 ? ((await r.json()) as RunView) : undefined))
        .catch(() => undefined);
      ended = view !== undefined && TERMINAL.has(view.status);
      if (!ended) await sleep(250);
    }
    if (!ended) {
      pass.violations.push({ invariant: 'redrive', runId: newId, detail: `the redrive of ${runId} did not end within ${opts.timeoutMs ?? 60_000} ms` });
      continue;
    }
    pass.redriven++;
    for (const [nodeId, count] of before) {
      pass.reusedNodes++;
      const now = hits(runId, nodeId).length;
      if (now !== count)
        pass.violations.push({
          invariant: 'reused-silent',
          runId: newId,
          nodeId,
          detail: `${nodeId} was reused from ${runId} but reached the target ${now - count} more time(s)`,
        });
    }
  }
  return pass;
}
