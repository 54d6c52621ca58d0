/**
 * Property-based tests (fast-check). Graphs are generated constructively
 * (edges only from lower to higher index, so they are DAGs by construction;
 * one back edge makes a cycle), never by filtering random ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph';
import { topologicalOrder } from '../../src/graph/graph';
import type { NodeOutcome, NodeStatus } from '../../src/graph/scheduler';
import { Scheduler } from '../../src/graph/scheduler';
import { startRanks } from '../../src/graph/start-order';
import type { GraphDefinition } from '../../src/graph/schema';
import { ISSUE_CODES, validateDefinition } from '../../src/graph/validate';
import { setOwnProperty } from '../../src/graph/own-property';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

export const RUNS = { validatorRandom: 500, validatorMutated: 500, cycles: 200, scheduler: 400 };

type Kind = 'set' | 'http' | 'condition' | 'mergeAll' | 'mergeAny';

interface Spec {
  kinds: Kind[];
  /** parents[i]: indexes < i feeding node i (node 0 is the trigger). */
  parents: number[][];
  onError: ('fail' | 'continue' | 'branch')[];
}

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    kinds: fc.array(fc.constantFrom<Kind>('set', 'http', 'condition', 'mergeAll', 'mergeAny'), { minLength: n, maxLength: n }),
    parents: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { minLength: 1, maxLength: Math.min(3, i) }),
      ),
    ),
    onError: fc.array(fc.constantFrom<'fail' | 'continue' | 'branch'>('fail', 'continue', 'branch'), { minLength: n, maxLength: n }),
  }),
);

/** Condition edges alternate "true"/"false"; a branch node sends every other edge to "error". */
function toDefinition(spec: Spec): GraphDefinition {
  const nodes: GraphDefinition['nodes'] = spec.kinds.map((k, i) => {
    if (i === 0) return { id: 'n0', type: 'trigger' };
    const id = `n${i}`;
    if (k === 'http') return { id, type: 'http', data: { url: 'http://example.com/' }, onError: spec.onError[i] };
    if (k === 'condition') return { id, type: 'condition', data: { expression: '{% true %}' } };
    if (k === 'mergeAll') return { id, type: 'merge', data: { mode: 'all' } };
    if (k === 'mergeAny') return { id, type: 'merge', data: { mode: 'any' } };
    return { id, type: 'set', data: { value: i } };
  });
  const edges: NonNullable<GraphDefinition['edges']> = [];
  const outCount = new Map<number, number>();
  spec.parents.forEach((ps, child) => {
    for (const p of ps) {
      const k = outCount.get(p) ?? 0;
      outCount.set(p, k + 1);
      let sourceHandle: string | undefined;
      if (p > 0 && spec.kinds[p] === 'condition') sourceHandle = k % 2 === 0 ? 'true' : 'false';
      else if (p > 0 && spec.kinds[p] === 'http' && spec.onError[p] === 'branch' && k % 2 === 1) sourceHandle = 'error';
      edges.push({ source: `n${p}`, target: `n${child}`, ...(sourceHandle ? { sourceHandle } : {}) });
    }
  });
  return { name: 'prop', nodes, edges, settings: { onError: 'continue', maxParallel: 3 } };
}

describe('validator properties', () => {
  it('never throws on arbitrary JSON, and every issue names a path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateDefinition(value, BUILT_IN_CATALOG);
        if (!result.ok) for (const issue of result.issues) expect(issue.path.startsWith('$') && issue.message.length > 0).toBe(true);
      }),
      { numRuns: RUNS.validatorRandom },
    );
  });

  it('never throws on mutated valid definitions', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('id', 'type', 'data', 'source', 'target') }),
      fc.record({
        op: fc.constant('set' as const),
        key: fc.constantFrom('id', 'type', 'data', 'source', 'target', 'sourceHandle', 'retry', 'timeout', 'onError', '__proto__', 'constructor'),
        value: fc.jsonValue(),
      }),
      fc.record({ op: fc.constant('duplicate' as const) }),
    );
    fc.assert(
      fc.property(specArb, fc.array(fc.tuple(fc.nat(), fc.boolean(), mutation), { maxLength: 4 }), (spec, mutations) => {
        const def = JSON.parse(JSON.stringify(toDefinition(spec))) as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
        for (const [at, onNode, m] of mutations) {
          const list = onNode || def.edges.length === 0 ? def.nodes : def.edges;
          const item = list[at % list.length]!;
          if (m.op === 'delete') delete item[m.key];
          else if (m.op === 'set') setOwnProperty(item, m.key, m.value);
          else list.push({ ...item });
        }
        const result = validateDefinition(def, BUILT_IN_CATALOG);
        if (!result.ok) for (const issue of result.issues) expect(issue.path).toMatch(/^\$/);
      }),
      { numRuns: RUNS.validatorMutated },
    );
  });

  it('accepts every generated DAG and reports a cycle once a back edge is added', () => {
    fc.assert(
      fc.property(
        specArb.filter((s) => s.kinds.length >= 3),
        fc.nat(),
        (spec, pick) => {
          const def = toDefinition(spec);
          expect(validateDefinition(def, BUILT_IN_CATALOG).ok).toBe(true);
          // a back edge from a node to one of its ancestors (never into the trigger)
          const child = 2 + (pick % (spec.kinds.length - 2));
          const ancestor = spec.parents[child]!.find((p) => p > 0);
          if (ancestor === undefined) return;
          const handle =
            spec.kinds[child] === 'condition' ? { sourceHandle: 'true' } : spec.kinds[child] === 'http' && spec.onError[child] === 'branch' ? {} : {};
          const result = validateDefinition({ ...def, edges: [...def.edges!, { source: `n${child}`, target: `n${ancestor}`, ...handle }] }, BUILT_IN_CATALOG);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.issues.some((i) => i.code === ISSUE_CODES.cycle)).toBe(true);
        },
      ),
      { numRuns: RUNS.cycles },
    );
  });
});

/**
 * The reference: final statuses computed in one pass over a topological order,
 * from each run node's outcome, written independently of the scheduler.
 */
function expectedStatuses(g: Graph, outcomeOf: (i: number) => NodeOutcome): NodeStatus[] {
  const status: NodeStatus[] = g.nodes.map(() => 'pending');
  const edgeState: ('taken' | 'untaken' | 'poisoned')[] = [];
  const poisonedSkip = new Set<number>();
  for (const i of topologicalOrder(g)) {
    const node = g.nodes[i]!;
    const ins = g.incoming[i]!.map((e) => edgeState[e]!);
    const anyTaken = ins.includes('taken');
    const anyPoison = ins.includes('poisoned');
    const mergeAny = node.type === 'merge' && node.data.mode === 'any';
    const runs = ins.length === 0 || (anyTaken && (mergeAny || !anyPoison));
    let outcome: NodeOutcome | undefined;
    if (runs) {
      outcome = outcomeOf(i);
      status[i] = outcome.status;
    } else {
      status[i] = 'skipped';
      if (anyPoison) poisonedSkip.add(i);
    }
    for (const e of g.outgoing[i]!) {
      const h = g.edges[e]!.handle;
      if (!outcome) edgeState[e] = poisonedSkip.has(i) ? 'poisoned' : 'untaken';
      else if (outcome.status === 'failed') {
        edgeState[e] =
          node.onError === 'fail' ? 'poisoned' : node.onError === 'branch' ? (h === 'error' ? 'taken' : 'untaken') : h === 'error' ? 'untaken' : 'taken';
      } else if (outcome.status === 'succeeded') {
        edgeState[e] = h === 'error' ? 'untaken' : outcome.handle === undefined || h === outcome.handle ? 'taken' : 'untaken';
      } else edgeState[e] = 'poisoned';
    }
  }
  return status;
}

describe('scheduler properties', () => {
  it('runs each node at most once, never before its inputs are decided, and skips exactly the dead paths, in any start order', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (spec, coin, order, byPath) => {
          const result = validateDefinition(toDefinition(spec), BUILT_IN_CATALOG);
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          const g = result.graph;
          const outcomeOf = (i: number): NodeOutcome => {
            const node = g.nodes[i]!;
            if (node.type === 'condition') return { status: 'succeeded', handle: coin[i] ? 'true' : 'false' };
            if (node.type === 'http' && !coin[i]) return { status: 'failed' };
            return { status: 'succeeded' };
          };
          // Longest remaining path first with arbitrary weights, or definition order: the outcome is the same.
          const s = new Scheduler(
            g,
            byPath
              ? {
                  ranks: startRanks(
                    g,
                    g.nodes.map((n) => order[n.index % order.length]!),
                  ),
                }
              : {},
          );
          const started = new Set<number>();
          const finished = new Set<number>();
          const running: number[] = [];
          let step = 0;
          for (let guard = 0; guard < 1000; guard++) {
            for (const node of s.next()) {
              expect(started.has(node.index)).toBe(false);
              started.add(node.index);
              // every predecessor whose edge was decided is finished (or skipped); none is still running
              for (const e of g.incoming[node.index]!) {
                const src = g.edges[e]!.source;
                const st = s.statusOf(src);
                if (node.type !== 'merge' || node.data.mode !== 'any') expect(st === 'running' || st === 'pending').toBe(false);
                if (s.isTaken(e)) expect(finished.has(src)).toBe(true);
              }
              running.push(node.index);
            }
            expect(running.filter((i) => g.nodes[i]!.type === 'http').length).toBeLessThanOrEqual(g.settings.maxParallel);
            if (s.done) break;
            // complete one running node, chosen by the generated order
            const k = order[step++ % order.length]! % running.length;
            const [i] = running.splice(k, 1);
            s.complete(i!, outcomeOf(i!));
            finished.add(i!);
          }
          expect(s.done).toBe(true);
          const actual = g.nodes.map((n) => s.statusOf(n.index));
          expect(actual).toEqual(expectedStatuses(g, outcomeOf));
          expect(actual).not.toContain('pending');
          expect(actual).not.toContain('running');
        },
      ),
      { numRuns: RUNS.scheduler },
    );
  });
});
