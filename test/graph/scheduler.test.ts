/**
 * The scheduler driven by a fake runtime that advances in ticks: a test says
 * how each node ends, and the log of starts proves order and concurrency
 * without timers.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/graph/graph';
import type { NodeOutcome } from '../../src/graph/scheduler';
import { Scheduler } from '../../src/graph/scheduler';
import { assertValid } from '../../src/graph/validate';
import { criticalPath } from '../../src/graph/critical-path';
import { graph } from '../helpers/graphs';
import type { GraphDefinition } from '../../src/graph/schema';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

type Decide = (id: string) => NodeOutcome;

/**
 * Runs a graph to the end. Each tick, every running node ends (with the
 * outcome `decide` gives), then the scheduler hands out the next batch.
 * Returns the batches started per tick and the final statuses.
 */
function simulate(def: GraphDefinition, decide: Decide = () => ({ status: 'succeeded' }), trigger?: string) {
  const { graph: g } = assertValid(def, BUILT_IN_CATALOG);
  const s = new Scheduler(g, { trigger });
  const ticks: string[][] = [];
  let running: number[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const batch = s.next();
    running.push(...batch.map((n) => n.index));
    if (batch.length) ticks.push(batch.map((n) => n.id));
    if (s.done) break;
    const ending = running;
    running = [];
    for (const i of ending) s.complete(i, decide(g.nodes[i]!.id));
  }
  const status = Object.fromEntries(g.nodes.map((n) => [n.id, s.statusOf(n.index)]));
  return { ticks, status };
}

describe('Scheduler', () => {
  it('starts siblings together and a join once (diamond)', () => {
    //          ┌─▶ a ─┐
    // start ───┤      ├──▶ join
    //          └─▶ b ─┘
    const def = graph().trigger().set('a', 1).set('b', 2).set('join', 3).edge('start', 'a').edge('start', 'b').edge('a', 'join').edge('b', 'join').build();
    const { ticks, status } = simulate(def);
    expect(ticks).toEqual([['start'], ['a', 'b'], ['join']]);
    expect(status.join).toBe('succeeded');
  });

  it('skips the untaken branch and still runs the join after a condition', () => {
    //              ┌─ true ──▶ yes ─┐
    // start ─▶ cond                 ├─▶ join ─▶ after
    //              └─ false ─▶ no ──┘
    const def = graph()
      .trigger()
      .node('cond', 'condition', { expression: '{% true %}' })
      .set('yes', 1)
      .set('no', 2)
      .node('join', 'merge')
      .set('after', 3)
      .edge('start', 'cond')
      .edge('cond', 'yes', 'true')
      .edge('cond', 'no', 'false')
      .edge('yes', 'join')
      .edge('no', 'join')
      .edge('join', 'after')
      .build();
    const { ticks, status } = simulate(def, (id) => (id === 'cond' ? { status: 'succeeded', handle: 'true' } : { status: 'succeeded' }));
    expect(ticks).toEqual([['start'], ['cond'], ['yes'], ['join'], ['after']]);
    expect(status).toMatchObject({ no: 'skipped', join: 'succeeded', after: 'succeeded' });
  });

  it('skips a whole dead path, transitively', () => {
    // start ─▶ cond ─ false ─▶ a ─▶ b ─▶ c
    const def = graph()
      .trigger()
      .node('cond', 'condition', { expression: '{% true %}' })
      .set('a', 1)
      .set('b', 1)
      .set('c', 1)
      .edge('start', 'cond')
      .edge('cond', 'a', 'false')
      .chain('a', 'b', 'c')
      .build();
    const { status } = simulate(def, (id) => (id === 'cond' ? { status: 'succeeded', handle: 'true' } : { status: 'succeeded' }));
    expect(status).toMatchObject({ a: 'skipped', b: 'skipped', c: 'skipped' });
  });

  it("starts a fast branch's child before the slow branch ends (no level barrier)", () => {
    // start ─▶ fast ─▶ child
    //   └────▶ slow ──────────▶ end ◀── child
    const { graph: g } = assertValid(
      graph()
        .trigger()
        .set('fast', 1)
        .set('child', 1)
        .set('slow', 1)
        .set('end', 1)
        .edge('start', 'fast')
        .edge('fast', 'child')
        .edge('start', 'slow')
        .edge('slow', 'end')
        .edge('child', 'end')
        .build(),
      BUILT_IN_CATALOG,
    );
    const s = new Scheduler(g);
    const id = (name: string) => g.indexById.get(name)!;
    expect(s.next().map((n) => n.id)).toEqual(['start']);
    s.complete(id('start'), { status: 'succeeded' });
    expect(s.next().map((n) => n.id)).toEqual(['fast', 'slow']);
    s.complete(id('fast'), { status: 'succeeded' });
    // slow is still running, and child starts anyway
    expect(s.next().map((n) => n.id)).toEqual(['child']);
    expect(s.statusOf(id('slow'))).toBe('running');
  });

  it('caps running activities at maxParallel and starts the rest in definition order', () => {
    const b = graph().trigger().with({ maxParallel: 2 });
    for (const i of [1, 2, 3, 4, 5]) b.http(`h${i}`, 'http://x').edge('start', `h${i}`);
    const { ticks } = simulate(b.build());
    expect(ticks).toEqual([['start'], ['h1', 'h2'], ['h3', 'h4'], ['h5']]);
  });

  it('does not cap in-workflow nodes by maxParallel', () => {
    const b = graph().trigger().with({ maxParallel: 1 });
    for (const i of [1, 2, 3]) b.set(`s${i}`, i).edge('start', `s${i}`);
    expect(simulate(b.build()).ticks).toEqual([['start'], ['s1', 's2', 's3']]);
  });

  it('runs one node at a time in definition order with strategy "sequential"', () => {
    const b = graph().trigger().with({ strategy: 'sequential' });
    for (const i of [3, 1, 2]) b.http(`h${i}`, 'http://x').edge('start', `h${i}`);
    expect(simulate(b.build()).ticks).toEqual([['start'], ['h3'], ['h1'], ['h2']]);
  });

  it('routes onError "branch" to the error handle on failure, and elsewhere on success', () => {
    //         ┌──────────▶ ok
    // start ─▶ h (branch)
    //         └─ error ──▶ recover
    const def = graph()
      .trigger()
      .http('h', 'http://x', { onError: 'branch' })
      .set('ok', 1)
      .set('recover', 2)
      .edge('start', 'h')
      .edge('h', 'ok')
      .edge('h', 'recover', 'error')
      .build();
    expect(simulate(def, (id) => (id === 'h' ? { status: 'failed' } : { status: 'succeeded' })).status).toMatchObject({ ok: 'skipped', recover: 'succeeded' });
    expect(simulate(def).status).toMatchObject({ ok: 'succeeded', recover: 'skipped' });
  });

  it('continues past a failure with onError "continue"', () => {
    const def = graph().trigger().http('h', 'http://x', { onError: 'continue' }).set('next', 1).chain('start', 'h', 'next').build();
    expect(simulate(def, (id) => (id === 'h' ? { status: 'failed' } : { status: 'succeeded' })).status).toMatchObject({ h: 'failed', next: 'succeeded' });
  });

  it('skips what is downstream of an unhandled failure, including a join of it', () => {
    // start ─▶ bad ─▶ after ─┐
    //   └────▶ good ─────────┴─▶ join
    const def = graph()
      .trigger()
      .http('bad', 'http://x')
      .set('after', 1)
      .set('good', 2)
      .set('join', 3)
      .chain('start', 'bad', 'after', 'join')
      .edge('start', 'good')
      .edge('good', 'join')
      .with({ onError: 'continue' })
      .build();
    const { status } = simulate(def, (id) => (id === 'bad' ? { status: 'failed' } : { status: 'succeeded' }));
    expect(status).toMatchObject({ bad: 'failed', after: 'skipped', good: 'succeeded', join: 'skipped' });
  });

  it('runs a merge in mode "any" once, on the first taken input', () => {
    //  start ─▶ a ─┐
    //    └───▶ b ──┴─▶ any
    const { graph: g } = assertValid(
      graph()
        .trigger()
        .http('a', 'http://x')
        .http('b', 'http://x')
        .node('any', 'merge', { mode: 'any' })
        .edge('start', 'a')
        .edge('start', 'b')
        .edge('a', 'any')
        .edge('b', 'any')
        .build(),
      BUILT_IN_CATALOG,
    );
    const s = new Scheduler(g);
    const id = (name: string) => g.indexById.get(name)!;
    s.next();
    s.complete(id('start'), { status: 'succeeded' });
    s.next();
    expect(s.firstTakenInput(id('any'))).toBeUndefined();
    s.complete(id('b'), { status: 'succeeded' });
    expect(s.next().map((n) => n.id)).toEqual(['any']);
    // b's edge made it ready: that is the input it passes on, whatever else is taken before it runs.
    const fromB = g.incoming[id('any')]!.find((e) => g.nodes[g.edges[e]!.source]!.id === 'b');
    s.complete(id('a'), { status: 'succeeded' });
    expect(s.firstTakenInput(id('any'))).toBe(fromB);
    expect(s.firstTakenInput(id('a'))).toBeUndefined();
    s.complete(id('any'), { status: 'succeeded' });
    expect(s.next()).toEqual([]);
    expect(s.done).toBe(true);
  });

  it("fires only the named trigger and skips the others' paths", () => {
    const def = graph().trigger('web').trigger('cron').set('a', 1).set('b', 2).edge('web', 'a').edge('cron', 'b').build();
    const { status } = simulate(def, undefined, 'cron');
    expect(status).toMatchObject({ web: 'skipped', a: 'skipped', cron: 'succeeded', b: 'succeeded' });
    expect(() => new Scheduler(assertValid(def, BUILT_IN_CATALOG).graph, { trigger: 'a' })).toThrow(/not a trigger/);
  });

  it('stop() cancels what has not started and reports what runs', () => {
    const { graph: g } = assertValid(
      graph().trigger().http('a', 'http://x').http('b', 'http://x').set('c', 1).edge('start', 'a').edge('start', 'b').edge('a', 'c').build(),
      BUILT_IN_CATALOG,
    );
    const s = new Scheduler(g);
    s.next();
    s.complete(0, { status: 'succeeded' });
    s.next();
    expect(s.stop().map((i) => g.nodes[i]!.id)).toEqual(['a', 'b']);
    expect(s.statusOf(g.indexById.get('c')!)).toBe('canceled');
    s.complete(g.indexById.get('a')!, { status: 'canceled' });
    s.complete(g.indexById.get('b')!, { status: 'canceled' });
    expect(s.done).toBe(true);
  });

  it('handles 100,000 nodes in a chain without recursion', () => {
    const n = 100_000;
    const g = buildGraph(
      {
        nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: i === 0 ? 'trigger' : 'set' })),
        edges: Array.from({ length: n - 1 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })),
      },
      BUILT_IN_CATALOG,
    );
    const s = new Scheduler(g);
    let started = 0;
    for (let batch = s.next(); batch.length; batch = s.next()) {
      for (const node of batch) {
        started++;
        // the first node's failure would poison 99,999 nodes; succeed it and fail the second
        s.complete(node.index, node.index === 1 ? { status: 'failed' } : { status: 'succeeded' });
      }
    }
    expect(started).toBe(2);
    expect(s.statusOf(n - 1)).toBe('skipped');
  });
});

describe('criticalPath', () => {
  it('follows the longest measured path', () => {
    // start(0) ─▶ a(100) ─▶ b(100) ─▶ c(100) ─┐
    //   └──────▶ slow(250) ───────────────────┴─▶ end(10)
    const { graph: g } = assertValid(
      graph()
        .trigger()
        .set('a', 1)
        .set('b', 1)
        .set('c', 1)
        .set('slow', 1)
        .set('end', 1)
        .chain('start', 'a', 'b', 'c', 'end')
        .edge('start', 'slow')
        .edge('slow', 'end')
        .build(),
      BUILT_IN_CATALOG,
    );
    const ms = { start: 0, a: 100, b: 100, c: 100, slow: 250, end: 10 } as Record<string, number>;
    const cp = criticalPath(
      g,
      g.nodes.map((n) => ms[n.id]),
    );
    expect(cp).toEqual({ ms: 310, path: ['start', 'a', 'b', 'c', 'end'] });
  });
});
