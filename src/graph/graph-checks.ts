/**
 * Whole-graph checks over an indexed graph: reachability, cycles, depth.
 * Iterative throughout, so a 5,000-node chain cannot overflow the stack.
 */
import type { Graph } from './graph';
import { topologicalOrder } from './graph';

const MAX_REPORTED_CYCLES = 10;

/** Which nodes a walk from `starts` reaches, by node index. */
export function reachableFrom(graph: Graph, starts: number[]): boolean[] {
  const seen = graph.nodes.map(() => false);
  const stack = [...starts];
  for (const s of starts) seen[s] = true;
  while (stack.length > 0) {
    const i = stack.pop()!;
    for (const e of graph.outgoing[i]!) {
      const t = graph.edges[e]!.target;
      if (!seen[t]) {
        seen[t] = true;
        stack.push(t);
      }
    }
  }
  return seen;
}

/**
 * Finds cycles with an iterative depth-first search (deep chains must not
 * overflow the stack) and returns the node ids on each, one cycle per back edge,
 * at most {@link MAX_REPORTED_CYCLES}.
 */
export function findCycles(graph: Graph): string[][] {
  if (topologicalOrder(graph).length === graph.nodes.length) return [];
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = graph.nodes.map(() => WHITE);
  const cycles: string[][] = [];
  for (const root of graph.nodes) {
    if (color[root.index] !== WHITE) continue;
    const path: number[] = [root.index];
    const cursor: number[] = [0];
    color[root.index] = GREY;
    while (path.length > 0 && cycles.length < MAX_REPORTED_CYCLES) {
      const top = path.length - 1;
      const node = path[top]!;
      const out = graph.outgoing[node]!;
      if (cursor[top]! >= out.length) {
        color[node] = BLACK;
        path.pop();
        cursor.pop();
        continue;
      }
      const target = graph.edges[out[cursor[top]!++]!]!.target;
      if (color[target] === GREY) {
        cycles.push(path.slice(path.indexOf(target)).map((i) => graph.nodes[i]!.id));
      } else if (color[target] === WHITE) {
        color[target] = GREY;
        path.push(target);
        cursor.push(0);
      }
    }
  }
  return cycles;
}

/** Nodes on the longest path from a source node (1 for a lone trigger). */
export function maxDepth(graph: Graph): number {
  const depth = graph.nodes.map(() => 1);
  let best = graph.nodes.length > 0 ? 1 : 0;
  for (const i of topologicalOrder(graph)) {
    for (const e of graph.outgoing[i]!) {
      const t = graph.edges[e]!.target;
      if (depth[i]! + 1 > depth[t]!) depth[t] = depth[i]! + 1;
      if (depth[t]! > best) best = depth[t]!;
    }
  }
  return best;
}
