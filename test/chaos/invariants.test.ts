/**
 * The chaos runner's verdict (scripts/chaos/invariants.ts): runs that went as
 * the reference says pass every check; each kind of wrong outcome fails the
 * check it belongs to, and only that one.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../scripts/chaos/faults';
import type { ChaosCase } from '../../scripts/chaos/graphs';
import { Dice, expected, randomCase } from '../../scripts/chaos/graphs';
import type { CheckInput } from '../../scripts/chaos/invariants';
import { check, summary } from '../../scripts/chaos/invariants';

/** Cases whose reference does not depend on timing, with at least one succeeded http node each. */
function plainCases(n: number): ChaosCase[] {
  const dice = new Dice(xoroshiro128plus(11));
  const out: ChaosCase[] = [];
  for (let i = 0; out.length < n; i++) {
    const c = randomCase(dice, `inv-${i}`, 'http://127.0.0.1:4000');
    const ref = expected(c);
    const succeededHttp = Object.entries(c.http).some(([id, h]) => ref.statuses[h.within ?? id] === 'succeeded');
    if (!ref.timingDependent && succeededHttp) out.push(c);
  }
  return out;
}

/** What the runner would have seen had every run gone exactly as the reference says. */
function asExpected(cases: ChaosCase[]): CheckInput {
  const hitsByNode = new Map<string, number[]>();
  const views = new Map<string, { status: string; nodes: Record<string, { status: string }> }>();
  for (const c of cases) {
    const ref = expected(c);
    views.set(c.runId, { status: ref.runStatus, nodes: Object.fromEntries(Object.entries(ref.statuses).map(([id, status]) => [id, { status }])) });
    for (const [id, h] of Object.entries(c.http)) {
      if (ref.statuses[h.within ?? id] === 'succeeded') hitsByNode.set(`${c.runId}/${id}`, [1_000]);
    }
  }
  return {
    cases: new Map(cases.map((c) => [c.runId, c])),
    accepted: new Set(cases.map((c) => c.runId)),
    views: views as CheckInput['views'],
    listed: new Map(cases.map((c) => [c.runId, 1])),
    refused: [],
    faults: [],
    hits: (runId, nodeId) => hitsByNode.get(`${runId}/${nodeId}`) ?? [],
  };
}

const failed = (r: ReturnType<typeof check>) => [...new Set(r.violations.map((v) => v.invariant))];

describe('chaos invariants', () => {
  const cases = plainCases(5);
  const firstSucceededHttp = (c: ChaosCase) => {
    const ref = expected(c);
    return Object.entries(c.http).find(([id, h]) => ref.statuses[h.within ?? id] === 'succeeded')![0];
  };

  it('pass when every run went as the reference says', () => {
    const r = check(asExpected(cases));
    expect(r.violations).toEqual([]);
    expect(r.lines.every((l) => l.startsWith('✓'))).toBe(true);
    expect(r.lines[1]).toContain(`${cases.length} of ${cases.length} runs reached a terminal state`);
  });

  it('fail "terminal" for a run never seen to end, and "no-loss" for one not listed or listed twice', () => {
    const input = asExpected(cases);
    input.views.delete(cases[0]!.runId);
    input.listed.delete(cases[1]!.runId);
    input.listed.set(cases[2]!.runId, 2);
    expect(failed(check(input)).sort()).toEqual(['no-loss', 'terminal']);
  });

  it('fail "reference" when a node ended otherwise than the scheduler says', () => {
    const input = asExpected(cases);
    const view = input.views.get(cases[0]!.runId)!;
    const [id, node] = Object.entries(view.nodes).find(([, n]) => n.status === 'succeeded')!;
    view.nodes = { ...view.nodes, [id]: { ...node, status: 'failed' } } as typeof view.nodes;
    expect(failed(check(input))).toContain('reference');
  });

  it('fail "reached" for a succeeded http node the target never saw, "accepted" for a refused run', () => {
    const input = asExpected(cases);
    const c = cases[0]!;
    const silent = firstSucceededHttp(c);
    const hits = input.hits;
    input.hits = (runId, nodeId) => (runId === c.runId && nodeId === silent ? [] : hits(runId, nodeId));
    input.refused.push({ runId: 'inv-refused', status: 422, body: '{}' });
    expect(failed(check(input)).sort()).toEqual(['accepted', 'reached']);
  });

  it('explain a repeat by a worker killed between the requests, and fail "at-most-once" without one', () => {
    const c = cases[0]!;
    const repeated = firstSucceededHttp(c);
    const input = asExpected(cases);
    const hits = input.hits;
    input.hits = (runId, nodeId) => (runId === c.runId && nodeId === repeated ? [1_000, 5_000] : hits(runId, nodeId));
    expect(failed(check(input))).toEqual(['at-most-once']);

    const kill: Fault = { part: 'worker', at: 995, settled: 1_010, back: 2_000 };
    const explained = check({ ...input, faults: [kill] });
    expect(explained.violations).toEqual([]);
    expect(explained.lines[4]).toContain('1 http nodes reached the target more than once, 1 of them with a worker or server kill');
  });

  it('summarises faults by part', () => {
    const f = (part: string): Fault => ({ part, at: 0, settled: 0, back: 0 });
    expect(summary([f('worker'), f('postgres'), f('worker')])).toBe('worker ×2, postgres ×1');
    expect(summary([])).toBe('none');
  });
});
