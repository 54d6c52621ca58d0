/**
 * Seeds, pure: what a redrive reuses of an earlier run (diagrams below), what
 * a new input or a changed node takes away, and a test run's pins checked
 * against the graph.
 */
import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../src/graph/run-state';
import { pinSeeds, readsInput, redriveSeeds } from '../../src/graph/seeds';
import { assertValid } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';
import { graph } from '../helpers/graphs';

const URL = 'https://api.example.com/x';
const ok = (output: unknown, handle?: string): NodeState => ({ status: 'succeeded', attempts: 1, output, ...(handle ? { handle } : {}) });
const failed: NodeState = { status: 'failed', attempts: 3 };
const canceled: NodeState = { status: 'canceled', attempts: 0 };
const skipped: NodeState = { status: 'skipped', attempts: 0 };

/**
 *  start ─▶ a ─▶ b ─▶ c          b failed, c never ran (canceled)
 *     └───▶ d ─▶ e               d and e succeeded
 */
function chainAndSide() {
  const def = graph('redrive')
    .trigger()
    .http('a', URL)
    .http('b', URL)
    .http('c', URL)
    .http('d', URL)
    .set('e', '{% $nodes.d.output.status %}')
    .chain('start', 'a', 'b', 'c')
    .chain('start', 'd', 'e')
    .build();
  const g = assertValid(def, BUILT_IN_CATALOG).graph;
  const original: Record<string, NodeState> = { start: ok({ n: 1 }), a: ok({ status: 200 }), b: failed, c: canceled, d: ok({ status: 201 }), e: ok(201) };
  return { g, original };
}

describe('redrive seeds', () => {
  it('reuses every node that succeeded and is not downstream of one that runs again; triggers always run', () => {
    const { g, original } = chainAndSide();
    const seeds = redriveSeeds(g, original, 'run-1');
    expect(Object.keys(seeds).sort()).toEqual(['a', 'd', 'e']);
    expect(seeds.a).toEqual({ output: { status: 200 }, from: { runId: 'run-1' } });
  });

  it('runs fromNodes again and everything below them', () => {
    const { g, original } = chainAndSide();
    expect(Object.keys(redriveSeeds(g, original, 'run-1', { fromNodes: ['d'] })).sort()).toEqual(['a']);
    expect(Object.keys(redriveSeeds(g, original, 'run-1', { fromNodes: ['a'] })).sort()).toEqual(['d', 'e']);
  });

  it('with a new input, runs again what reads it ($input, a trigger, $nodes as a whole) and what is below', () => {
    const def = graph('input')
      .trigger()
      .http('a', URL)
      .node('b', 'set', { value: '{% $input.n %}' })
      .node('c', 'set', { value: '{% $nodes.start.output %}' })
      .node('d', 'set', { value: '{% $nodes.a.output %}' })
      .chain('start', 'a', 'b')
      .chain('start', 'c')
      .chain('a', 'd')
      .build();
    const g = assertValid(def, BUILT_IN_CATALOG).graph;
    const all = Object.fromEntries(g.nodes.map((n) => [n.id, ok(1)]));
    expect(Object.keys(redriveSeeds(g, all, 'r', { inputChanged: true })).sort()).toEqual(['a', 'd']);
    expect(readsInput(g, g.nodes[g.indexById.get('c')!]!)).toBe(true);
    expect(readsInput(g, g.nodes[g.indexById.get('d')!]!)).toBe(false);
  });

  it('keeps the branch a condition took, and runs again a node whose definition changed', () => {
    //  start ─▶ check ─true─▶ yes ─▶ after
    //               └─false─▶ no (skipped)
    const def = graph('branch')
      .trigger()
      .node('check', 'condition', { expression: '{% true %}' })
      .http('yes', URL)
      .http('no', URL)
      .http('after', URL)
      .edge('start', 'check')
      .edge('check', 'yes', 'true')
      .edge('check', 'no', 'false')
      .edge('yes', 'after')
      .build();
    const g = assertValid(def, BUILT_IN_CATALOG).graph;
    const original = { start: ok(null), check: ok(true, 'true'), yes: ok(1), no: skipped, after: failed };
    const seeds = redriveSeeds(g, original, 'r');
    expect(seeds.check).toEqual({ output: true, handle: 'true', from: { runId: 'r' } });
    expect(Object.keys(seeds).sort()).toEqual(['check', 'yes']);
    expect(Object.keys(redriveSeeds(g, original, 'r', { changed: new Set(['yes']) }))).toEqual(['check']);
  });
});

describe('redrive seeds of a forEach', () => {
  //  start ─▶ a ─▶ each (forEach, failed: items 0 and 2 succeeded) ─▶ after
  const def = graph('loop')
    .trigger()
    .http('a', URL)
    .node('each', 'forEach', { items: [1, 2, 3], body: graph('b').trigger('in').node('v', 'set', { value: 1 }).edge('in', 'v').build() })
    .set('after', 1)
    .chain('start', 'a', 'each', 'after')
    .build();
  const g = assertValid(def, BUILT_IN_CATALOG).graph;
  const eachFailed: NodeState = {
    status: 'failed',
    attempts: 1,
    error: { type: 'ForEachItemFailed', message: 'item 1 failed', details: { index: 1, items: { '0': 'x', '2': 'z' } } },
  };

  it('keeps the outputs of the items that succeeded when nothing above it runs again', () => {
    const seeds = redriveSeeds(g, { start: ok(null), a: ok(1), each: eachFailed, after: canceled }, 'r');
    expect(seeds.each).toEqual({ output: null, items: { '0': 'x', '2': 'z' }, from: { runId: 'r' } });
    expect(Object.keys(seeds).sort()).toEqual(['a', 'each']);
  });

  it('runs every item again when a node above it runs again, or when it is asked to', () => {
    expect(redriveSeeds(g, { start: ok(null), a: ok(1), each: eachFailed }, 'r', { fromNodes: ['a'] }).each).toBeUndefined();
    expect(redriveSeeds(g, { start: ok(null), a: ok(1), each: eachFailed }, 'r', { fromNodes: ['each'] }).each).toBeUndefined();
  });
});

describe('pins', () => {
  const def = graph('pins')
    .trigger()
    .http('a', URL)
    .node('check', 'condition', { expression: '{% true %}' })
    .node('route', 'switch', { cases: [{ handle: 'big', expression: '{% true %}' }] })
    .http('b', URL)
    .chain('start', 'a', 'check')
    .edge('check', 'route', 'true')
    .edge('route', 'b', 'big')
    .build();
  const g = assertValid(def, BUILT_IN_CATALOG).graph;

  it('seeds pinned outputs, with the branch a pinned condition or switch names', () => {
    const result = pinSeeds(g, BUILT_IN_CATALOG, { a: { status: 200, body: [] }, check: false, route: { handle: 'default' } });
    expect(result).toEqual({
      seeds: {
        a: { output: { status: 200, body: [] }, from: 'pin' },
        check: { output: false, handle: 'false', from: 'pin' },
        route: { output: { handle: 'default' }, handle: 'default', from: 'pin' },
      },
    });
  });

  it('names each pin that is wrong', () => {
    const result = pinSeeds(g, BUILT_IN_CATALOG, { nope: 1, start: {}, check: 'yes', route: { handle: 'small' } });
    expect(result).toEqual({
      problems: [
        { path: '$.pins.nope', message: '"nope" is not a node of this workflow' },
        { path: '$.pins.start', message: expect.stringContaining('trigger cannot be pinned') },
        { path: '$.pins.check', message: 'a condition node outputs true or false' },
        { path: '$.pins.route', message: expect.stringContaining('"big", "default"') },
      ],
    });
  });

  it("reads a waiting node's branch from its output: an approval's decision, a timeout, a wait's plain edge", () => {
    const waits = graph('waits')
      .trigger()
      .node('ok', 'approval', {})
      .node('ev', 'wait', { event: 'paid', timeout: '1h' })
      .http('yes', URL)
      .http('late', URL)
      .edge('start', 'ok')
      .edge('start', 'ev')
      .edge('ok', 'yes', 'approved')
      .edge('ev', 'late', 'timeout')
      .build();
    const wg = assertValid(waits, BUILT_IN_CATALOG).graph;
    expect(pinSeeds(wg, BUILT_IN_CATALOG, { ok: { approved: false }, ev: { timedOut: true, waitedMs: 5 } })).toEqual({
      seeds: {
        ok: { output: { approved: false }, handle: 'rejected', from: 'pin' },
        ev: { output: { timedOut: true, waitedMs: 5 }, handle: 'timeout', from: 'pin' },
      },
    });
    expect(pinSeeds(wg, BUILT_IN_CATALOG, { ok: { timedOut: true }, ev: { amount: 3 } })).toEqual({
      seeds: { ok: { output: { timedOut: true }, handle: 'timeout', from: 'pin' }, ev: { output: { amount: 3 }, from: 'pin' } },
    });
    expect(pinSeeds(wg, BUILT_IN_CATALOG, { ok: 'yes' })).toEqual({
      problems: [{ path: '$.pins.ok', message: expect.stringContaining('"approved": true or false') }],
    });
  });
});
