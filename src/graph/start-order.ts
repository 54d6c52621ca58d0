/**
 * Which ready node starts first when a limit keeps some waiting: the one with
 * the longest remaining path to the end of the graph, each node weighted by
 * its estimated duration (the node's `estimate`, else what it took in earlier
 * runs, else one unit: depth), ties in definition order. This is the
 * critical-path-first rule of list scheduling (HLFET; ninja orders its build
 * steps the same way with last build's durations): the node that the rest of
 * the run waits on longest is never left behind short ones.
 */
import type { Graph } from './graph';
import { topologicalOrder } from './graph';

/** Where a node's estimate comes from. */
export type EstimateSource = 'estimate' | 'history' | 'depth';

export interface NodeEstimate {
  /** Absent for `depth`: the node weighs one unit. */
  ms?: number;
  source: EstimateSource;
}

/** Each node's estimate: its `estimate` field, else `learned[id]` (ms), else depth. */
export function nodeEstimates(graph: Graph, learned: Readonly<Record<string, number>> = {}): NodeEstimate[] {
  return graph.nodes.map((n) => {
    if (n.estimateMs !== undefined) return { ms: n.estimateMs, source: 'estimate' };
    const ms = learned[n.id];
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) return { ms, source: 'history' };
    return { source: 'depth' };
  });
}

/**
 * The weights to order by. With no duration known anywhere, each node is one
 * unit (the longest remaining path is then the depth below a node). Where some
 * durations are known, a node without one weighs 1 ms: a guess that never
 * outranks a measured path.
 */
export function weightsOf(estimates: readonly NodeEstimate[]): number[] {
  return estimates.map((e) => e.ms ?? 1);
}

/** For each node, the heaviest path from it to an end of the graph, its own weight included. */
export function remainingPath(graph: Graph, weights: readonly number[]): Float64Array {
  const rest = new Float64Array(graph.nodes.length);
  const order = topologicalOrder(graph);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    let longest = 0;
    for (const e of graph.outgoing[i]!) longest = Math.max(longest, rest[graph.edges[e]!.target]!);
    rest[i] = Math.max(0, weights[i] ?? 0) + longest;
  }
  return rest;
}

/**
 * Each node's rank in the start order (0 starts first): longest remaining
 * path first, definition order on ties. The scheduler keeps ready nodes by rank.
 */
export function startRanks(graph: Graph, weights: readonly number[], rest = remainingPath(graph, weights)): Int32Array {
  const byRank = graph.nodes.map((n) => n.index).sort((a, b) => rest[b]! - rest[a]! || a - b);
  const ranks = new Int32Array(graph.nodes.length);
  byRank.forEach((node, rank) => (ranks[node] = rank));
  return ranks;
}

/**
 * Whether a limit can ever keep a ready node waiting: more nodes that take a
 * `maxParallel` slot than there are slots, in a parallel run. Only then does
 * the start order matter (and the interpreter records that it uses it).
 */
export function limitCanBind(graph: Graph): boolean {
  if (graph.settings.strategy === 'sequential') return false;
  let slotted = 0;
  for (const n of graph.nodes) if (n.activitySlot) slotted++;
  return slotted > graph.settings.maxParallel;
}

/**
 * Whether a host's limit (activities/host-limiter.ts) can keep one of the
 * run's requests waiting behind another of the same run: two or more nodes whose
 * type calls hosts (`http`) in a parallel run. The requests then carry their remaining path, so
 * the host serves the run's critical path first.
 */
export function hostLimitCanBind(graph: Graph): boolean {
  if (graph.settings.strategy === 'sequential') return false;
  let http = 0;
  for (const n of graph.nodes) if (n.callsHosts && ++http >= 2) return true;
  return false;
}
