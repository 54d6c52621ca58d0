/**
 * A Gantt chart of the run: one row per node that started, a light segment
 * for the time it waited in a queue (`queuedMs`) and a solid one for the rest
 * until it finished (or until now while it runs). Rows are kept by node id and
 * only their geometry changes, so the chart can grow every half second.
 */
import { h, s } from './dom';
import { formatMs } from './format';
import type { NodeView } from './types';

const LABEL_WIDTH = 150;
const AXIS_HEIGHT = 22;

interface Row {
  group: SVGGElement;
  label: SVGTextElement;
  queued: SVGRectElement;
  run: SVGRectElement;
  title: SVGTitleElement;
  /** What the row was last drawn as. */
  drawn?: string;
}

export interface TimelineInput {
  startedAt: string | null;
  finishedAt: string | null;
  nodes: Record<string, NodeView>;
  labels: ReadonlyMap<string, string>;
  /** Definition order: rows that start together keep it. */
  order: ReadonlyMap<string, number>;
  critical: ReadonlySet<string>;
  now: number;
}

export class Timeline {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly axis: SVGGElement;
  private readonly rows = new Map<string, Row>();
  private readonly body: SVGGElement;

  constructor(private readonly onSelect: (nodeId: string) => void) {
    this.axis = s('g', { class: 'axis' });
    this.body = s('g', { class: 'rows' });
    this.svg = s('svg', { class: 'timeline-svg', role: 'img', 'aria-label': 'Timeline' }, this.axis, this.body);
    this.element = h(
      'section',
      { class: 'timeline', 'aria-label': 'Timeline' },
      h(
        'div',
        { class: 'toolbar' },
        h(
          'span',
          { class: 'legend' },
          h('span', { class: 'chip bar-queued' }, 'queued'),
          h('span', { class: 'chip bar-run' }, 'running'),
          h('span', { class: 'chip bar-critical' }, 'critical path'),
        ),
      ),
      h('div', { class: 'timeline-canvas' }, this.svg),
    );
  }

  /**
   * Redraws the rows whose drawing changed, at most `maxRows` of them; true
   * when some were left for the next call.
   */
  update({ startedAt, finishedAt, nodes, labels, order, critical, now }: TimelineInput, maxRows = Infinity): boolean {
    if (!startedAt) return false;
    let written = 0;
    let behind = false;
    const t0 = Date.parse(startedAt);
    const started = Object.entries(nodes)
      .filter(([, n]) => n.startedAt)
      .map(([id, n]) => ({ id, n, start: Date.parse(n.startedAt!) }))
      .sort((a, b) => a.start - b.start || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    let end = finishedAt ? Date.parse(finishedAt) : now;
    for (const { n } of started) if (n.finishedAt) end = Math.max(end, Date.parse(n.finishedAt));
    // While the run runs the axis reaches ahead to a round horizon, so bars
    // grow towards it rather than the whole chart rescaling every tick.
    const span = finishedAt ? Math.max(1, end - t0) : horizon(end - t0);
    const width = Math.max(320, this.element.clientWidth - 16);
    const plot = width - LABEL_WIDTH - 8;
    const x = (t: number) => LABEL_WIDTH + ((t - t0) / span) * plot;
    const rowHeight = started.length <= 40 ? 20 : started.length <= 200 ? 10 : 5;
    const barHeight = Math.max(3, rowHeight - 4);
    const height = AXIS_HEIGHT + started.length * rowHeight + 4;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.drawAxis(span, x, t0, height);

    started.forEach(({ id, n, start }, i) => {
      const row = this.row(id);
      const y = AXIS_HEIGHT + i * rowHeight;
      const queued = n.execution === 'workflow' ? 0 : (n.queuedMs ?? 0);
      const stop = n.finishedAt ? Date.parse(n.finishedAt) : n.status === 'running' || n.status === 'waiting' ? now : start;
      const runFrom = Math.min(stop, start + queued);
      const cls = `bar-run status-${n.status}${critical.has(id) ? ' critical' : ''}`;
      // Only rows whose drawing changed are touched: between two horizons a
      // running run moves just its running bars, not 1,000 rows.
      const key = `${y} ${x(start).toFixed(1)} ${x(runFrom).toFixed(1)} ${x(stop).toFixed(1)} ${barHeight} ${cls}`;
      if (key === row.drawn) return;
      if (written++ >= maxRows) {
        behind = true;
        return;
      }
      row.drawn = key;
      setRect(row.queued, x(start), y + 2, x(runFrom) - x(start), barHeight);
      setRect(row.run, x(runFrom), y + 2, Math.max(2, x(stop) - x(runFrom)), barHeight);
      row.run.setAttribute('class', cls);
      row.label.setAttribute('y', String(y + rowHeight - 5));
      row.label.textContent = rowHeight >= 10 ? clip(labels.get(id) ?? id, 22) : '';
      row.title.textContent = `${labels.get(id) ?? id}: ${n.status}, queued ${formatMs(n.queuedMs)}, ran ${formatMs(n.runMs)}, ${formatMs(stop - start)} in all`;
    });
    return behind;
  }

  private row(id: string): Row {
    let row = this.rows.get(id);
    if (!row) {
      const title = s('title');
      const label = s('text', { x: 4, class: 'row-label' });
      const queued = s('rect', { class: 'bar-queued' });
      const run = s('rect', { class: 'bar-run' });
      const group = s('g', { class: 'row', 'data-node-id': id }, title, label, queued, run);
      group.addEventListener('click', () => this.onSelect(id));
      this.body.append(group);
      row = { group, label, queued, run, title };
      this.rows.set(id, row);
    }
    return row;
  }

  private drawAxis(span: number, x: (t: number) => number, t0: number, height: number): void {
    const ticks = 5;
    const children: SVGElement[] = [];
    for (let i = 0; i <= ticks; i++) {
      const t = t0 + (span * i) / ticks;
      const at = x(t);
      children.push(s('line', { x1: at, x2: at, y1: AXIS_HEIGHT - 4, y2: height, class: 'tick' }));
      children.push(s('text', { x: at, y: AXIS_HEIGHT - 8, 'text-anchor': i === 0 ? 'start' : i === ticks ? 'end' : 'middle' }, formatMs((span * i) / ticks)));
    }
    this.axis.replaceChildren(...children);
  }
}

/** The next round duration (1, 2 or 5 × a power of ten ms) above `ms`, and at least 1 s. */
function horizon(ms: number): number {
  let step = 1000;
  for (;;) {
    for (const m of [1, 2, 5]) if (step * m >= ms * 1.05) return step * m;
    step *= 10;
  }
}

function setRect(rect: SVGRectElement, x: number, y: number, width: number, height: number): void {
  rect.setAttribute('x', x.toFixed(1));
  rect.setAttribute('y', String(y));
  rect.setAttribute('width', Math.max(0, width).toFixed(1));
  rect.setAttribute('height', String(height));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
