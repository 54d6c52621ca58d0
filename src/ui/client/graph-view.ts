/**
 * The run's graph as SVG: one box per node, coloured by status through a CSS
 * class, edges as polylines from the layout. Drawn once; a status change only
 * swaps a class, so a 1,000-node run updates without redrawing.
 */
import { h, s } from './dom';
import type { Definition, LayoutResult, NodeStatus } from './types';

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 40;

export class GraphView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private svg: SVGSVGElement | undefined;
  private readonly boxes = new Map<string, SVGGElement>();
  private readonly edgeLines: { source: string; target: string; line: SVGPolylineElement }[] = [];
  private size = { width: 0, height: 0 };
  private scale = 1;
  private selected: string | undefined;
  private criticalKey: string | undefined;

  constructor(private readonly onSelect: (nodeId: string) => void) {
    this.canvas = h('div', { class: 'graph-canvas' }, h('p', { class: 'loading' }, 'Laying out the graph…'));
    const zoom = (factor: number | 'fit') => () => this.zoom(factor);
    this.element = h(
      'section',
      { class: 'graph', 'aria-label': 'Graph' },
      h(
        'div',
        { class: 'toolbar' },
        h(
          'span',
          { class: 'legend' },
          ...(['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'canceled'] as const).map((st) =>
            h('span', { class: `chip status-${st}` }, st),
          ),
        ),
        button('−', 'Zoom out', zoom(1 / 1.25)),
        button('+', 'Zoom in', zoom(1.25)),
        button('Fit', 'Fit to width', zoom('fit')),
      ),
      this.canvas,
    );
  }

  draw(def: Definition, layout: LayoutResult): void {
    const svg = s('svg', { class: 'graph-svg', viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img', 'aria-label': 'Run graph' });
    svg.append(
      s(
        'defs',
        {},
        s(
          'marker',
          { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
          s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }),
        ),
      ),
    );
    const edges = s('g', { class: 'edges' });
    def.edges.forEach((edge, i) => {
      const points = layout.edges[i] ?? [];
      const line = s('polyline', { class: 'edge', points: points.map((p) => `${p.x},${p.y}`).join(' '), 'marker-end': 'url(#arrow)' });
      edges.append(line);
      this.edgeLines.push({ source: edge.source, target: edge.target, line });
      if (edge.sourceHandle && points.length > 1 && def.edges.length <= 400) {
        const at = points[1]!;
        edges.append(s('text', { class: 'edge-label', x: at.x, y: at.y - 4, 'text-anchor': 'middle' }, edge.sourceHandle));
      }
    });
    const nodes = s('g', { class: 'nodes' });
    for (const node of def.nodes) {
      const p = layout.nodes[node.id];
      if (!p) continue;
      const label = node.label ?? node.id;
      const box = s(
        'g',
        {
          class: 'node status-pending',
          transform: `translate(${p.x - NODE_WIDTH / 2},${p.y - NODE_HEIGHT / 2})`,
          'data-node-id': node.id,
          tabindex: 0,
          role: 'button',
        },
        s('title', {}, `${label} (${node.id}, ${node.type})`),
        s('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
        s('text', { x: 10, y: 17, class: 'node-label' }, clip(label, 22)),
        s('text', { x: 10, y: 32, class: 'node-type' }, clip(node.label ? `${node.type} · ${node.id}` : node.type, 28)),
      );
      box.addEventListener('click', () => this.onSelect(node.id));
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') this.onSelect(node.id);
      });
      this.boxes.set(node.id, box);
      nodes.append(box);
    }
    svg.append(edges, nodes);
    this.svg = svg;
    this.size = { width: layout.width, height: layout.height };
    this.canvas.replaceChildren(svg);
    this.zoom('fit');
  }

  setStatus(nodeId: string, status: NodeStatus): void {
    const box = this.boxes.get(nodeId);
    if (!box) return;
    const cls = `node status-${status}${box.classList.contains('critical') ? ' critical' : ''}${nodeId === this.selected ? ' selected' : ''}`;
    if (box.getAttribute('class') !== cls) box.setAttribute('class', cls);
  }

  /** Marks the nodes and edges on the critical path. */
  setCriticalPath(path: readonly string[]): void {
    const key = path.join('\u0000');
    if (key === this.criticalKey) return; // the usual case: the path did not change this frame
    this.criticalKey = key;
    const on = new Set(path);
    for (const [id, box] of this.boxes) box.classList.toggle('critical', on.has(id));
    const steps = new Set(path.slice(1).map((id, i) => `${path[i]}\u0000${id}`));
    for (const e of this.edgeLines) e.line.classList.toggle('critical', steps.has(`${e.source}\u0000${e.target}`));
  }

  select(nodeId: string | undefined): void {
    if (this.selected) this.boxes.get(this.selected)?.classList.remove('selected');
    this.selected = nodeId;
    if (nodeId) this.boxes.get(nodeId)?.classList.add('selected');
  }

  private zoom(factor: number | 'fit'): void {
    if (!this.svg || this.size.width === 0) return;
    if (factor === 'fit') {
      // Whole graph in view when it can be read there; else fit the width and scroll.
      const across = Math.max(200, this.canvas.clientWidth - 8) / this.size.width;
      const down = Math.max(200, maxCanvasHeight() - 8) / this.size.height;
      this.scale = Math.min(1.25, Math.max(Math.min(0.35, across), Math.min(across, down)));
    } else {
      this.scale = Math.min(4, Math.max(0.05, this.scale * factor));
    }
    this.svg.setAttribute('width', String(Math.round(this.size.width * this.scale)));
    this.svg.setAttribute('height', String(Math.round(this.size.height * this.scale)));
    // The pane is as tall as the drawing, up to most of the window.
    this.canvas.style.height = `${Math.min(maxCanvasHeight(), Math.max(160, this.size.height * this.scale + 12))}px`;
  }
}

const maxCanvasHeight = () => Math.round(window.innerHeight * 0.72);

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', title, 'aria-label': title }, text);
  b.addEventListener('click', onClick);
  return b;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
