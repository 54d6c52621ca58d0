/**
 * The critical path of a finished run: the longest path through the graph when
 * each node weighs what it measured (nodes that did not run weigh 0). Every
 * edge counts, taken or not, because a join waits for all its inputs to be
 * decided. A run can finish no sooner than this, so `criticalPathMs / wallMs`
 * says how close the scheduler came to the ideal.
 */
import type { Graph } from './graph';
import { topologicalOrder } from './graph';

export interface CriticalPath {
  ms: number;
  /** Node ids along the path, first to last. */
  path: string[];
}

export function criticalPath(graph: Graph, durationMs: readonly (number | undefined)[]): CriticalPath {
  const finish = new Float64Array(graph.nodes.length);
  const via = new Int32Array(graph.nodes.length).fill(-1);
  let end = -1;
  for (const i of topologicalOrder(graph)) {
    let start = 0;
    for (const e of graph.incoming[i]!) {
      const s = graph.edges[e]!.source;
      if (finish[s]! > start || (via[i] === -1 && finish[s]! === start)) {
        start = finish[s]!;
        via[i] = s;
      }
    }
    finish[i] = start + Math.max(0, durationMs[i] ?? 0);
    if (end === -1 || finish[i]! > finish[end]!) end = i;
  }
  if (end === -1) return { ms: 0, path: [] };
  const path: string[] = [];
  for (let i = end; i !== -1; i = via[i]!) path.push(graph.nodes[i]!.id);
  return { ms: finish[end]!, path: path.reverse() };
}
