/**
 * Lays a graph out left to right with dagre. Runs in the layout worker
 * (layout-worker.ts) so the tab stays responsive; the page calls it directly
 * only when the worker fails (dagre's ordering recurses once per node along
 * the longest path, and a worker's stack is smaller than the page's).
 */
import dagre from '@dagrejs/dagre';
import type { LayoutRequest, LayoutResult } from './types';

/** Above this many nodes the layout skips dagre's crossing-minimising order search. */
const LARGE_GRAPH_NODES = 200;

/** Space between nodes in a rank and between ranks; the editor leaves room for handle labels. */
export interface Spacing {
  nodesep: number;
  ranksep: number;
}

export function layoutGraph({ nodes, edges }: LayoutRequest, spacing: Spacing = { nodesep: 12, ranksep: 48 }): LayoutResult {
  const start = performance.now();
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', ...spacing, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((edge, i) => g.setEdge(edge.source, edge.target, {}, String(i)));
  // The order search doubles the time on a wide graph and buys little there
  // (a fan-out's siblings have nothing to uncross).
  dagre.layout(g, { disableOptimalOrderHeuristic: nodes.length > LARGE_GRAPH_NODES });
  const placed: LayoutResult['nodes'] = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    placed[n.id] = { x: p.x, y: p.y };
  }
  const routed = edges.map((edge, i) => (g.edge(edge.source, edge.target, String(i))?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })));
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes: placed, edges: routed, ms: performance.now() - start };
}
