/**
 * Random valid graphs for the chaos runner, from a seeded generator, and the
 * reference: the final node statuses the pure scheduler (src/graph) computes
 * from the same outcomes. Every outcome is known in advance: an http node's
 * latency and failure are in its URL (the target obeys them), a condition or
 * switch reads a flag the run's input carries.
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

type Node = GraphDefinition['nodes'][number];
type Edge = NonNullable<GraphDefinition['edges']>[number];

export interface ChaosCase {
  runId: string;
  definition: GraphDefinition;
  input: { flags: boolean[]; choices: string[] };
  /** http nodes: what the target will do. */
  http: Record<string, { ms: number; fail: boolean }>;
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
    let roll = this.int(1, entries.reduce((s, [, w]) => s + w, 0));
    for (const [k, w] of entries) if ((roll -= w) <= 0) return k;
    return entries[0]![0];
  }
}

const KINDS = { http: 40, condition: 10, switch: 8, merge: 12, delay: 10, set: 20 } as const;

/** A random valid graph with its input and the target's behaviour per http node. */
export function randomCase(dice: Dice, runId: string, targetUrl: string): ChaosCase {
  const nodes: Node[] = [{ id: 'start', type: 'trigger' }];
  const edges: Edge[] = [];
  const input: ChaosCase['input'] = { flags: [], choices: [] };
  const http: ChaosCase['http'] = {};
  /** Out-handles a parent may route by (undefined: a plain edge). */
  const handlesOf = new Map<string, (string | undefined)[]>([['start', [undefined]]]);
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
        node.data = { url: `${targetUrl}/chaos/${encodeURIComponent(runId)}/${id}?ms=${ms}&fail=${fail ? 1 : 0}`, timeout: '10s' };
        if (dice.chance(0.25)) node.execution = 'local';
        node.onError = dice.weighted({ fail: 6, continue: 2, branch: 2 });
        handlesOf.set(id, node.onError === 'branch' ? [undefined, 'error'] : [undefined]);
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
  const graph = buildGraph({ ...c.definition, edges: c.definition.edges ?? [] });
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
