/** Auto-layout: the run page's dagre layout (left to right), applied to the editor's nodes. */
import { layoutGraph } from '../layout';
import { NODE_HEIGHT, NODE_WIDTH } from './braid-node';
import type { EditorDocument } from './model';

export function autoLayout(doc: EditorDocument): EditorDocument {
  const size = (n: EditorDocument['nodes'][number]) => ({ width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  const placed = layoutGraph(
    {
      nodes: doc.nodes.map((n) => ({ id: n.id, ...size(n) })),
      edges: doc.edges.filter((e) => e.source !== e.target).map((e) => ({ source: e.source, target: e.target })),
    },
    { nodesep: 28, ranksep: 90 },
  );
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = placed.nodes[n.id];
      if (!p) return n;
      const { width, height } = size(n);
      // dagre gives centres; React Flow places a node by its top-left corner.
      return { ...n, position: { x: Math.round(p.x - width / 2), y: Math.round(p.y - height / 2) } };
    }),
  };
}
