/**
 * The start order under a limit: longest remaining path first, weighted by
 * the nodes' estimates, ties in definition order. A simulated clock runs each
 * node for its estimate (no timers), so the schedules' lengths can be compared.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph';
import type { GraphDefinition } from '../../src/graph/schema';
import { Scheduler } from '../../src/graph/scheduler';
import { hostLimitCanBind, limitCanBind, nodeEstimates, remainingPath, startRanks, weightsOf } from '../../src/graph/start-order';
import { assertValid } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

/** Runs the graph on a simulated clock, each node taking `ms[id]`; returns when each started and the run's length. */
function simulate(g: Graph, ms: Record<string, number>, ranks?: Int32Array) {
  const s = new Scheduler(g, ranks ? { ranks } : {});
  const started: Record<string, number> = {};
  const running: { index: number; end: number }[] = [];
  let now = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    for (const n of s.next()) {
      started[n.id] = now;
      running.push({ index: n.index, end: now + (ms[n.id] ?? 0) });
    }
    if (s.done) break;
    running.sort((a, b) => a.end - b.end || a.index - b.index);
    const first = running.shift()!;
    now = first.end;
    s.complete(first.index, { status: 'succeeded' });
  }
  return { started, ms: now };
}

const http = (id: string, estimate?: string) => ({ id, type: 'http', data: { url: 'http://x/' }, ...(estimate ? { estimate } : {}) });

/**
 *            ┌─ s1 (300 ms) ─┐
 *  start ────┼─ …            │   maxParallel: 2
 *            ├─ s6 (300 ms)  │
 *            └─ long (2 s) ──┘   listed last
 */
function limitBinds(estimates: boolean): GraphDefinition {
  const shorts = ['s1', 's2', 's3', 's4', 's5', 's6'];
  return {
    name: 's7',
    nodes: [{ id: 'start', type: 'trigger' }, ...shorts.map((id) => http(id, estimates ? '300ms' : undefined)), http('long', estimates ? '2s' : undefined)],
    edges: [...shorts, 'long'].map((target) => ({ source: 'start', target })),
    settings: { maxParallel: 2 },
  };
}
const S7_MS = { s1: 300, s2: 300, s3: 300, s4: 300, s5: 300, s6: 300, long: 2000 };

describe('start order', () => {
  it('starts the long node first when estimates say so: 2.0 s instead of 2.9 s in definition order', () => {
    const g = assertValid(limitBinds(true), BUILT_IN_CATALOG).graph;
    expect(limitCanBind(g)).toBe(true);
    const estimates = nodeEstimates(g);
    expect(estimates[g.indexById.get('long')!]).toEqual({ ms: 2000, source: 'estimate' });
    const ordered = simulate(g, S7_MS, startRanks(g, weightsOf(estimates)));
    expect(ordered.started.long).toBe(0);
    expect(ordered.ms).toBe(2000);
    expect(simulate(g, S7_MS).ms).toBe(2900);
  });

  it('uses learned durations where a node has no estimate, and says so', () => {
    const g = assertValid(limitBinds(false), BUILT_IN_CATALOG).graph;
    const estimates = nodeEstimates(g, { long: 1950, s1: 310 });
    expect(estimates[g.indexById.get('long')!]).toEqual({ ms: 1950, source: 'history' });
    expect(estimates[g.indexById.get('s2')!]).toEqual({ source: 'depth' });
    expect(simulate(g, S7_MS, startRanks(g, weightsOf(estimates))).ms).toBe(2000);
  });

  /**
   *  start ─┬─ b               listed first, 1 node to go
   *         ├─ c               1 node to go
   *         └─ a ─ a2 ─ a3     listed last, 3 nodes to go: starts first (maxParallel 1)
   */
  it('with no durations known, weighs each node one unit: the deepest chain goes first', () => {
    const def: GraphDefinition = {
      name: 'depth',
      nodes: [{ id: 'start', type: 'trigger' }, http('b'), http('c'), http('a'), http('a2'), http('a3')],
      edges: [
        { source: 'start', target: 'b' },
        { source: 'start', target: 'c' },
        { source: 'start', target: 'a' },
        { source: 'a', target: 'a2' },
        { source: 'a2', target: 'a3' },
      ],
      settings: { maxParallel: 1 },
    };
    const g = assertValid(def, BUILT_IN_CATALOG).graph;
    const weights = weightsOf(nodeEstimates(g));
    expect([...remainingPath(g, weights)]).toEqual([4, 1, 1, 3, 2, 1]);
    const ranks = startRanks(g, weights);
    const { started } = simulate(g, { a: 1, a2: 1, a3: 1, b: 1, c: 1 }, ranks);
    expect(started.a).toBe(0);
  });

  it('keeps definition order on ties, and when the strategy is sequential', () => {
    const even = assertValid(limitBinds(true), BUILT_IN_CATALOG).graph;
    const ranks = startRanks(even, weightsOf(nodeEstimates(even)));
    // The six short nodes tie: they keep their order after the long one.
    const order = [...even.nodes].sort((x, y) => ranks[x.index]! - ranks[y.index]!).map((n) => n.id);
    expect(order).toEqual(['start', 'long', 's1', 's2', 's3', 's4', 's5', 's6']);
    const sequential = assertValid({ ...limitBinds(true), settings: { strategy: 'sequential' } }, BUILT_IN_CATALOG).graph;
    expect(limitCanBind(sequential)).toBe(false);
    const { started } = simulate(sequential, S7_MS, startRanks(sequential, weightsOf(nodeEstimates(sequential))));
    expect(started.s1).toBeLessThan(started.long!);
  });

  it('only matters when more nodes take a slot than maxParallel allows', () => {
    expect(limitCanBind(assertValid({ ...limitBinds(true), settings: { maxParallel: 7 } }, BUILT_IN_CATALOG).graph)).toBe(false);
    expect(limitCanBind(assertValid({ ...limitBinds(true), settings: { maxParallel: 6 } }, BUILT_IN_CATALOG).graph)).toBe(true);
  });

  it("orders a run's requests for a host limit when two http nodes may wait for one another", () => {
    const wide = assertValid({ ...limitBinds(false), settings: { maxParallel: 7 } }, BUILT_IN_CATALOG).graph;
    expect(hostLimitCanBind(wide)).toBe(true);
    const one = assertValid(
      { name: 'one', nodes: [{ id: 'start', type: 'trigger' }, http('a')], edges: [{ source: 'start', target: 'a' }] },
      BUILT_IN_CATALOG,
    ).graph;
    expect(hostLimitCanBind(one)).toBe(false);
    expect(hostLimitCanBind(assertValid({ ...limitBinds(false), settings: { strategy: 'sequential' } }, BUILT_IN_CATALOG).graph)).toBe(false);
    // The scheduler hands each node's remaining path to its request (the host limiter's order within a run).
    const rest = remainingPath(wide, weightsOf(nodeEstimates(wide)));
    const s = new Scheduler(wide, { ranks: startRanks(wide, [], rest), remaining: rest });
    expect(s.remainingOf(wide.indexById.get('long')!)).toBe(1);
    expect(s.remainingOf(wide.indexById.get('start')!)).toBe(2);
    expect(new Scheduler(wide).remainingOf(0)).toBeUndefined();
  });

  it('rejects an estimate that is not a duration, naming the field', () => {
    const def = {
      ...limitBinds(true),
      nodes: [
        { id: 'start', type: 'trigger' },
        { ...http('x'), estimate: 'soon' },
      ],
    };
    expect(() => assertValid(def as GraphDefinition, BUILT_IN_CATALOG)).toThrow(/nodes\[1\]\.estimate|estimate/);
  });
});
