/**
 * Random valid graphs for the chaos runner, from a seeded generator, and the
 * reference: the final node statuses the pure scheduler (src/graph) computes
 * from the same outcomes. Every outcome is known in advance: an http node's
 * latency and failure are in its URL (the target obeys them), a condition or
 * switch reads a flag the run's input carries. A subworkflow runs an inline
 * child graph of one or two http nodes; a forEach runs an http node per item
 * (one item may be set to fail). Their http requests name the node they
 * belong to (`<node>.<inner id>`, `<node>.<item index>`).
 *
 *   start ─▶ layer 1 ─▶ layer 2 ─▶ …      each node has 1–2 parents in earlier
 *                                         layers; conditions and switches route
 *                                         by handle, "branch" nodes by "error"
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { buildGraph } from '../../src/graph/graph';
import type { NodeOutcome, NodeStatus } from '../../src/graph/scheduler';
import { Scheduler } from '../../src/graph/scheduler';
import type { GraphDefinition } from '../../src/graph/schema';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

type Node = GraphDefinition['nodes'][number];
type Edge = NonNullable<GraphDefinition['edges']>[number];

export interface ChaosCase {
  runId: string;
  definition: GraphDefinition;
  input: { flags: boolean[]; choices: string[] };
  /**
   * http requests: what the target will do. Keyed by http node id, or for a
   * subworkflow's or forEach's own http nodes `<node>.<inner id>` and
   * `<node>.<item index>`, with `within` naming that node.
   */
  http: Record<string, { ms: number; fail: boolean; within?: string }>;
}

export class Dice {
  constructor(private readonly rng: RandomGenerator) {}
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
  chance(p: number): boolean {
    return this.int(0, 999) < p * 1000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  /** One of the keys, with the weights given. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let roll = this.int(
      1,
      entries.reduce((s, [, w]) => s + w, 0),
    );
    for (const [k, w] of entries) if ((roll -= w) <= 0) return k;
    return entries[0]![0];
  }
}

const KINDS = { http: 40, condition: 10, switch: 8, merge: 12, delay: 10, set: 20, subworkflow: 5, forEach: 5 } as const;

/** A random valid graph with its input and the target's behaviour per http node. */
export function randomCase(dice: Dice, runId: string, targetUrl: string): ChaosCase {
  const nodes: Node[] = [{ id: 'start', type: 'trigger' }];
  const edges: Edge[] = [];
  const input: ChaosCase['input'] = { flags: [], choices: [] };
  const http: ChaosCase['http'] = {};
  /** Out-handles a parent may route by (undefined: a plain edge). */
  const handlesOf = new Map<string, (string | undefined)[]>([['start', [undefined]]]);
  /** The target's URLs for this run's requests: `<base><key>?ms=…&fail=…`. */
  const base = `${targetUrl}/chaos/${encodeURIComponent(runId)}/`;
  const requestUrl = (key: string, ms: number, fail: boolean) => `${base}${key}?ms=${ms}&fail=${fail ? 1 : 0}`;
  /** A node that can fail: its onError, and the "error" handle when it branches. */
  const failable = (node: Node) => {
    node.onError = dice.weighted({ fail: 6, continue: 2, branch: 2 });
    handlesOf.set(node.id, node.onError === 'branch' ? [undefined, 'error'] : [undefined]);
  };
  let earlier = ['start'];
  const layers = dice.int(2, 5);
  for (let l = 1; l <= layers; l++) {
    const layer: string[] = [];
    for (let k = dice.int(1, 4); k > 0; k--) {
      const id = `n${nodes.length}`;
      const kind = dice.weighted(KINDS);
      const node: Node = { id, type: kind } as Node;
      if (kind === 'http') {
        const ms = dice.int(20, 400);
        const fail = dice.chance(0.15);
        http[id] = { ms, fail };
        node.data = { url: requestUrl(id, ms, fail), timeout: '10s' };
        if (dice.chance(0.25)) node.execution = 'local';
        failable(node);
      } else if (kind === 'subworkflow') {
        const inner: Node[] = [{ id: 'in', type: 'trigger' }];
        for (let k = dice.int(1, 2); k > 0; k--) {
          const innerId = `c${inner.length}`;
          const ms = dice.int(20, 300);
          const fail = dice.chance(0.1);
          http[`${id}.${innerId}`] = { ms, fail, within: id };
          inner.push({ id: innerId, type: 'http', data: { url: requestUrl(`${id}.${innerId}`, ms, fail), timeout: '10s' } } as Node);
        }
        node.data = { workflow: { name: 'chaos-child', nodes: inner, edges: inner.slice(1).map((n) => ({ source: 'in', target: n.id })) } };
        failable(node);
      } else if (kind === 'forEach') {
        const items = dice.int(2, 4);
        const ms = dice.int(20, 300);
        const failAt = dice.chance(0.1) ? dice.int(0, items - 1) : -1;
        for (let i = 0; i < items; i++) http[`${id}.${i}`] = { ms, fail: i === failAt, within: id };
        // One URL per item: `<id>.<index>`, failing for item `failAt` only.
        const url = `{% "${base}${id}." & $string($index) & "?ms=${ms}&fail=" & ($index = ${failAt} ? "1" : "0") %}`;
        const body = {
          name: 'chaos-item',
          nodes: [
            { id: 'in', type: 'trigger' },
            { id: 'call', type: 'http', data: { url, timeout: '10s' } },
          ],
          edges: [{ source: 'in', target: 'call' }],
        };
        node.data = { items: Array.from({ length: items }, (_, i) => i), body, maxConcurrency: dice.int(1, 4) };
        failable(node);
      } else if (kind === 'condition') {
        node.data = { expression: `{% $input.flags[${input.flags.length}] %}` };
        input.flags.push(dice.chance(0.5));
        handlesOf.set(id, ['true', 'false']);
      } else if (kind === 'switch') {
        const k = input.choices.length;
        node.data = { cases: ['a', 'b'].map((h) => ({ handle: h, expression: `{% $input.choices[${k}] = '${h}' %}` })) };
        input.choices.push(dice.pick(['a', 'b', 'c']));
        handlesOf.set(id, ['a', 'b', 'default']);
      } else if (kind === 'merge') {
        node.data = { mode: dice.pick(['all', 'any'] as const) };
        handlesOf.set(id, [undefined]);
      } else if (kind === 'delay') {
        node.data = { duration: `${dice.int(50, 600)}ms` };
        handlesOf.set(id, [undefined]);
      } else {
        node.data = { value: { layer: l, at: id } };
        handlesOf.set(id, [undefined]);
      }
      const parents = new Set<string>();
      for (let p = dice.int(1, Math.min(2, earlier.length)); p > 0; p--) parents.add(dice.pick(earlier));
      for (const parent of parents) {
        const handle = dice.pick(handlesOf.get(parent)!);
        edges.push({ source: parent, target: id, ...(handle ? { sourceHandle: handle } : {}) });
      }
      nodes.push(node);
      layer.push(id);
    }
    earlier = earlier.concat(layer);
  }
  const definition = {
    name: 'chaos',
    settings: { onError: dice.pick(['failFast', 'continue'] as const), maxParallel: dice.int(2, 10) },
    nodes,
    edges,
  } as GraphDefinition;
  return { runId, definition, input, http };
}

export interface Expected {
  statuses: Record<string, NodeStatus>;
  runStatus: 'succeeded' | 'failed';
  /**
   * A fail-fast run that fails stops whatever runs at that moment: which
   * nodes that is depends on timing, so only what finished is compared.
   */
  timingDependent: boolean;
}

/** What the pure scheduler says the run ends as, given the outcomes the case fixes. */
export function expected(c: ChaosCase): Expected {
  const graph = buildGraph({ ...c.definition, edges: c.definition.edges ?? [] }, BUILT_IN_CATALOG);
  const scheduler = new Scheduler(graph);
  let failed = false;
  let timingDependent = false;
  for (let batch = scheduler.next(); batch.length > 0; batch = scheduler.next()) {
    for (const node of batch) {
      const outcome = outcomeOf(c, node.id, node.type, node.data);
      if (outcome.status === 'failed' && node.onError === 'fail') {
        failed = true;
        if (graph.settings.onError === 'failFast') timingDependent = true;
      }
      scheduler.complete(node.index, outcome);
    }
  }
  const statuses: Record<string, NodeStatus> = {};
  for (const n of graph.nodes) statuses[n.id] = scheduler.statusOf(n.index);
  return { statuses, runStatus: failed ? 'failed' : 'succeeded', timingDependent };
}

function outcomeOf(c: ChaosCase, id: string, type: string, data: Record<string, unknown>): NodeOutcome {
  if (type === 'http') return c.http[id]!.fail ? { status: 'failed' } : { status: 'succeeded' };
  // A subworkflow fails when its child run does, a forEach on its first failed item.
  if (type === 'subworkflow' || type === 'forEach')
    return Object.values(c.http).some((h) => h.within === id && h.fail) ? { status: 'failed' } : { status: 'succeeded' };
  if (type === 'condition') {
    const k = Number(/flags\[(\d+)\]/.exec(String(data.expression))![1]);
    return { status: 'succeeded', handle: c.input.flags[k] ? 'true' : 'false' };
  }
  if (type === 'switch') {
    const cases = data.cases as { handle: string; expression: string }[];
    const k = Number(/choices\[(\d+)\]/.exec(cases[0]!.expression)![1]);
    const choice = c.input.choices[k];
    return { status: 'succeeded', handle: cases.find((x) => x.handle === choice)?.handle ?? 'default' };
  }
  return { status: 'succeeded' };
}
