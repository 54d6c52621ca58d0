/**
 * The chaos runner's invariants, checked over what a run of it saw: every
 * generated run accepted and terminal, equal to the pure scheduler's
 * reference, every succeeded http node at the target, repeats only where a
 * kill explains them, skipped nodes silent, no run lost or listed twice.
 * Pure: the runner gathers the facts, this decides.
 */
import type { RunView } from '../../src/runs/run-store';
import type { Fault } from './faults';
import { crashExplains } from './faults';
import type { ChaosCase } from './graphs';
import { expected } from './graphs';

export interface Violation {
  invariant: string;
  runId: string;
  nodeId?: string;
  detail: string;
}

export function summary(faults: Fault[]): string {
  const by = new Map<string, number>();
  for (const f of faults) by.set(f.part, (by.get(f.part) ?? 0) + 1);
  return faults.length === 0 ? 'none' : [...by].map(([p, n]) => `${p} ×${n}`).join(', ');
}

export interface CheckInput {
  cases: Map<string, ChaosCase>;
  accepted: Set<string>;
  views: Map<string, Pick<RunView, 'status' | 'nodes'>>;
  listed: Map<string, number>;
  refused: { runId: string; status: number; body: string }[];
  faults: Fault[];
  hits: (runId: string, nodeId: string) => number[];
}

export function check({ cases, accepted, views, listed, refused, faults, hits }: CheckInput) {
  const violations: Violation[] = [];
  const violate = (invariant: string, runId: string, detail: string, nodeId?: string) => violations.push({ invariant, runId, detail, nodeId });
  const counts = { terminal: 0, reference: 0, loose: 0, reached: 0, succeededHttp: 0, duplicates: 0, explained: 0, skippedQuiet: 0, skippedHttp: 0 };
  let httpNodes = 0;

  for (const r of refused) violate('accepted', r.runId, `the API refused a generated graph: ${r.status} ${r.body.slice(0, 300)}`);
  for (const runId of accepted) {
    const c = cases.get(runId)!;
    const view = views.get(runId);
    if (!view) {
      violate('terminal', runId, 'not terminal (or not found) within the deadline');
      continue;
    }
    counts.terminal++;
    const ref = expected(c);
    const mismatches: string[] = [];
    if (view.status !== ref.runStatus) mismatches.push(`run ${view.status}, reference ${ref.runStatus}`);
    for (const [id, want] of Object.entries(ref.statuses)) {
      const got = view.nodes[id]?.status;
      if (ref.timingDependent) {
        if ((got === 'succeeded' || got === 'failed') && got !== want) mismatches.push(`${id}: ${got}, reference ${want}`);
      } else if (got !== want) mismatches.push(`${id}: ${got}, reference ${want}`);
    }
    if (mismatches.length > 0) violate('reference', runId, mismatches.join('; '));
    else if (ref.timingDependent) counts.loose++;
    else counts.reference++;

    for (const [id, behaviour] of Object.entries(c.http)) {
      httpNodes++;
      const times = hits(runId, id);
      // A subworkflow's or forEach's own request: it succeeded only if that node did, and was skipped with it.
      const status = view.nodes[behaviour.within ?? id]?.status;
      if (status === 'succeeded') {
        counts.succeededHttp++;
        if (times.length === 0) violate('reached', runId, `${id} succeeded without reaching the target`);
        else counts.reached++;
      }
      if (status === 'skipped') {
        counts.skippedHttp++;
        if (times.length > 0) violate('skipped', runId, `${id} was skipped but reached the target ${times.length} time(s)`);
        else counts.skippedQuiet++;
      }
      if (times.length > 1) {
        counts.duplicates++;
        if (crashExplains(faults, times)) counts.explained++;
        else {
          // For diagnosis: when the requests came, and the faults nearest to the first one.
          const near = faults
            .map((f) => ({ part: f.part, s: Math.round((f.at - times[0]!) / 100) / 10 }))
            .sort((a, b) => Math.abs(a.s) - Math.abs(b.s))
            .slice(0, 3)
            .map((f) => `${f.part} ${f.s >= 0 ? '+' : ''}${f.s} s`);
          violate(
            'at-most-once',
            runId,
            `${id} reached the target ${times.length} times with no crash in between (${behaviour.fail ? 'failing' : 'succeeding'} node); requests at +${times.map((t) => ((t - times[0]!) / 1000).toFixed(2)).join(', +')} s, nearest faults ${near.join(', ')}`,
            id,
          );
        }
      }
    }
  }
  const found = [...accepted].filter((id) => listed.has(id)).length;
  const twice = [...listed].filter(([, n]) => n > 1);
  for (const id of accepted) if (!listed.has(id)) violate('no-loss', id, 'accepted but not listed');
  for (const [id, n] of twice) violate('no-loss', id, `listed ${n} times`);

  const mark = (name: string) => (violations.some((v) => v.invariant === name) ? '✗' : '✓');
  const lines = [
    `${mark('accepted')} accepted: ${accepted.size} of ${cases.size} generated runs accepted, ${refused.length} refused`,
    `${mark('terminal')} terminal: ${counts.terminal} of ${accepted.size} runs reached a terminal state`,
    `${mark('reference')} reference: ${counts.reference} runs equal the pure scheduler node for node, ${counts.loose} fail-fast runs agree on every node that finished, ${violations.filter((v) => v.invariant === 'reference').length} differ`,
    `${mark('reached')} reached: ${counts.reached} of ${counts.succeededHttp} succeeded http nodes reached the target`,
    `${mark('at-most-once')} at-most-once: ${counts.duplicates} http nodes reached the target more than once, ${counts.explained} of them with a worker or server kill between their requests`,
    `${mark('skipped')} skipped: ${counts.skippedQuiet} of ${counts.skippedHttp} skipped http nodes never reached the target`,
    `${mark('no-loss')} no-loss: ${found} of ${accepted.size} accepted runs listed, ${twice.length} listed twice`,
  ];
  return { lines, violations, httpNodes };
}
