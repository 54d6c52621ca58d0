/**
 * /runs/:runId — one run, live. Reads the run and the definition it ran, lays
 * the graph out in a worker, then follows the run's SSE stream: each `node`
 * event recolours one box and moves one timeline row; the final `run` event
 * brings the settled metrics.
 */
import { isLive } from '../../graph/run-state';
import { buildGraph, type Graph } from '../../graph/graph';
import { mountProjectSwitcher } from './project-switcher';
import { criticalPath } from '../../graph/critical-path';
import { api, ApiProblem, runPath } from './api';
import { fill, h } from './dom';
import { elapsedMs } from './format';
import { GraphView, NODE_HEIGHT, NODE_WIDTH } from './graph-view';
import { cancelRunButton, controlRunButton, detailsView, metricsView, redriveRunButton, runHead, waitingView } from './run-views';
import { Timeline } from './timeline';
import type { Definition, LayoutRequest, LayoutResult, NodeView, RunView } from './types';

/** How often the timeline and clocks move while the run runs (ms). */
const TICK_MS = 500;
/** The timeline follows node changes at most this often (ms); the graph follows every frame. */
const TIMELINE_MIN_MS = 100;
/** Node changes (graph boxes, timeline rows) drawn per frame. */
const CHANGES_PER_FRAME = 150;
/** Longest path (in nodes) the layout worker is given; deeper graphs are laid out on the page (see layOut). */
const WORKER_MAX_DEPTH = 300;

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const runId = decodeURIComponent(location.pathname.replace(/^\/runs\//, ''));
  // The layout is the slow part: it starts as soon as the definition is here.
  const definition = api<Definition>(`${runPath(runId)}/definition`);
  const layout = definition.then((d) => layOut(d, indexGraph(d)));
  layout.catch(() => {});
  let run: RunView;
  let def: Definition;
  try {
    [run, def] = await Promise.all([api<RunView>(runPath(runId)), definition]);
  } catch (err) {
    const message = err instanceof ApiProblem && err.status === 404 ? `No run "${runId}".` : `Could not read the run: ${(err as Error).message}`;
    fill(root, h('p', { class: 'problem', role: 'alert' }, message));
    return;
  }
  document.title = `${run.name} · ${runId} · Braid`;
  new LiveRun(root, runId, run, def).start(layout);
}

/** One run on the page: its head, graph, timeline and details, kept current from its event stream, drawn at most once a frame. */
class LiveRun {
  private readonly labels: Map<string, string>;
  private readonly types: Map<string, string>;
  private readonly order: Map<string, number>;
  /** Undefined: drawn without a critical path. */
  private readonly graph: Graph | undefined;
  private readonly graphView = new GraphView((id) => this.select(id));
  private readonly timeline = new Timeline((id) => this.select(id));
  private readonly status = h('span', { class: 'badge', id: 'run-status' });
  private readonly metrics = h('dl', { class: 'metrics' });
  private readonly actions = h('div', { class: 'actions' });
  private readonly waiting = h('section', { class: 'waiting', 'aria-label': 'Waiting for an answer' });
  private readonly notice = h('p', { class: 'notice', role: 'status' });
  private readonly details = h(
    'aside',
    { class: 'details', 'aria-label': 'Node details' },
    h('p', { class: 'hint' }, 'Select a node to see its attempts, times, output and error.'),
  );
  private readonly cancelButton: HTMLElement;
  private readonly pauseButton: HTMLElement;
  private readonly resumeButton: HTMLElement;
  private readonly redriveButton: HTMLElement;
  private selected: string | undefined;
  // Live state: what changed since the last frame, drawn at most once a frame.
  private readonly live = { workMs: 0, path: [] as string[] };
  private readonly dirty: Set<string>;
  private laidOut = false;
  private frame = 0;
  private lastTimeline = 0;
  private timelineBehind = false;

  constructor(
    root: HTMLElement,
    private readonly runId: string,
    private run: RunView,
    private readonly def: Definition,
  ) {
    this.labels = new Map(def.nodes.map((n) => [n.id, n.label ?? n.id]));
    this.types = new Map(def.nodes.map((n) => [n.id, n.type]));
    this.order = new Map(def.nodes.map((n, i) => [n.id, i]));
    this.graph = indexGraph(def);
    this.dirty = new Set(Object.keys(run.nodes));
    const { status, actions, metrics, notice } = this;
    fill(
      root,
      runHead(run, runId, { status, actions, metrics, notice }),
      this.waiting,
      h('div', { class: 'panes' }, this.graphView.element, this.timeline.element),
      this.details,
    );
    this.cancelButton = cancelRunButton(runId, notice);
    this.redriveButton = redriveRunButton(runId, notice);
    const onStatus = (next: RunView) => this.onStatus(next);
    this.pauseButton = controlRunButton(runId, 'pause', notice, onStatus);
    this.resumeButton = controlRunButton(runId, 'resume', notice, onStatus);
    fill(
      actions,
      this.pauseButton,
      this.resumeButton,
      this.cancelButton,
      this.redriveButton,
      h('a', { href: run.links.temporalUi, id: 'temporal-ui-link', target: '_blank', rel: 'noopener' }, 'Open in Temporal Web UI'),
      ...(run.links.trace ? [h('a', { href: run.links.trace, id: 'trace-link', target: '_blank', rel: 'noopener' }, 'Open trace')] : []),
      h('a', { href: runPath(runId) }, 'JSON'),
      h('a', { href: `/runs?workflow=${encodeURIComponent(run.workflow.name)}` }, `All runs of ${run.workflow.name}`),
    );
  }

  /** Draws what is known, the graph once laid out, then follows the run while it runs. */
  start(layout: Promise<LayoutResult>): void {
    layout.then(
      (result) => {
        this.graphView.draw(this.def, result);
        this.laidOut = true;
        for (const id of this.def.nodes.map((n) => n.id)) this.dirty.add(id);
        this.draw();
        document.body.dataset.graph = 'ready';
        document.body.dataset.layoutMs = String(Math.round(result.ms));
      },
      (err: unknown) => {
        this.notice.textContent = `Could not lay out the graph: ${(err as Error).message ?? String(err)}`;
      },
    );
    this.renderWaiting();
    this.draw();
    if (!isLive(this.run.status)) return;
    const tick = setInterval(() => this.schedule(), TICK_MS);
    followRun(this.runId, this.notice, {
      onNode: (nodeId, node) => this.onNode(nodeId, node),
      onStatus: (next) => this.onStatus(next),
      onRun: (final) => {
        clearInterval(tick);
        this.run = final;
        for (const id of Object.keys(final.nodes)) this.dirty.add(id);
        this.renderWaiting();
        this.schedule();
      },
      onStop: () => clearInterval(tick),
    });
  }

  /** A pause or a resume: the run's status (and its metrics) change, its nodes come as node events. */
  private onStatus(next: RunView): void {
    if (!isLive(next.status)) return;
    this.run = { ...this.run, status: next.status, metrics: next.metrics };
    this.schedule();
  }

  private select(nodeId: string): void {
    this.selected = nodeId;
    this.graphView.select(nodeId);
    this.renderDetails();
  }

  private renderHead(now: number): void {
    const { run, status } = this;
    // A queued run: its place in its key's queue (as of the last event).
    const place = run.status === 'queued' && run.queue ? ` · ${run.queue.position === null ? '' : `#${run.queue.position} `}for ${run.queue.key}` : '';
    status.textContent = `${run.status.replace('_', ' ')}${place}`;
    status.className = `badge status-${run.status}`;
    document.body.dataset.runStatus = run.status;
    const live = isLive(run.status);
    this.cancelButton.hidden = !live;
    this.pauseButton.hidden = run.status !== 'running' && run.status !== 'queued';
    this.resumeButton.hidden = run.status !== 'paused';
    // Finished without succeeding: failed, canceled, terminated or timed out.
    this.redriveButton.hidden = live || run.status === 'succeeded';
    const wall = !live ? run.metrics.wallMs : (elapsedMs(run.startedAt, null, now) ?? 0);
    const work = !live ? run.metrics.workMs : this.live.workMs;
    fill(this.metrics, ...metricsView(run, wall, work));
  }

  private renderWaiting(): void {
    const onError = (message: string) => (this.notice.textContent = message);
    fill(this.waiting, ...waitingView(this.run, this.runId, this.labels, { onNode: (id, node) => this.onNode(id, node), onError }));
  }

  private renderDetails(): void {
    const id = this.selected;
    if (id) fill(this.details, ...detailsView(id, this.run.nodes[id], this.labels.get(id), this.types.get(id)));
  }

  private onNode(nodeId: string, node: NodeView): void {
    const before = this.run.nodes[nodeId];
    this.run.nodes[nodeId] = node;
    this.dirty.add(nodeId);
    if ((before?.status === 'waiting') !== (node.status === 'waiting')) this.renderWaiting();
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = 0;
    const { run, dirty } = this;
    const now = Date.now();
    const changed = dirty.size > 0;
    // A burst (hundreds of nodes ending at once) is drawn over a few frames, not one long one.
    if (!this.laidOut)
      dirty.clear(); // the layout's arrival colours everything
    else {
      let drawn = 0;
      for (const id of dirty) {
        if (drawn++ >= CHANGES_PER_FRAME) break;
        this.graphView.setStatus(id, run.nodes[id]?.status ?? 'pending');
        dirty.delete(id);
      }
    }
    if ((changed || run.status === 'running') && this.graph) {
      const cp = criticalPath(this.graph, liveDurations(this.graph, run, now));
      this.live.workMs = cp.ms;
      this.live.path = cp.path;
      if (this.laidOut) this.graphView.setCriticalPath(cp.path);
    }
    if (this.timelineBehind || now - this.lastTimeline >= (changed ? TIMELINE_MIN_MS : TICK_MS / 2) || run.status !== 'running') {
      this.lastTimeline = now;
      const { labels, order } = this;
      const view = { startedAt: run.startedAt, finishedAt: run.finishedAt, nodes: run.nodes, labels, order, critical: new Set(this.live.path), now };
      this.timelineBehind = this.timeline.update(view, CHANGES_PER_FRAME);
    }
    this.renderHead(now);
    this.renderDetails();
    if (dirty.size > 0 || this.timelineBehind) this.schedule();
  }
}

/** Each node's own time so far, for the live critical path: ended nodes their runMs, running activities their time since start. */
function liveDurations(graph: Graph, run: RunView, now: number): (number | undefined)[] {
  return graph.nodes.map(({ id }) => {
    const n = run.nodes[id];
    if (!n) return undefined;
    if (n.runMs !== undefined) return n.runMs;
    return n.status === 'running' && n.execution !== 'workflow' ? elapsedMs(n.startedAt, null, now) : undefined;
  });
}

/**
 * Lays a definition out in a worker (layout-worker.ts), off the main thread;
 * on the page itself when the worker cannot (a very long chain overflows a
 * worker's smaller stack), which holds the tab once, for the layout's time.
 */
function layOut(def: Definition, graph: Graph | undefined): Promise<LayoutResult> {
  const request: LayoutRequest = {
    nodes: def.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: def.edges.map((e) => ({ source: e.source, target: e.target })),
  };
  const onPage = async () => {
    const { layoutGraph } = await import('./layout');
    document.body.dataset.layoutOn = 'page';
    return layoutGraph(request);
  };
  // Nodes along the longest path: past WORKER_MAX_DEPTH the worker would run out of stack.
  const depth = graph
    ? criticalPath(
        graph,
        graph.nodes.map(() => 1),
      ).ms
    : 0;
  if (depth > WORKER_MAX_DEPTH) return onPage();
  return new Promise<LayoutResult | undefined>((resolve) => {
    const worker = new Worker('/ui/assets/layout-worker.js', { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutResult | { error: string }>) => {
      worker.terminate();
      resolve('error' in e.data ? undefined : e.data);
    };
    worker.onerror = () => {
      worker.terminate();
      resolve(undefined);
    };
    worker.postMessage(request);
  }).then((result) => result ?? onPage());
}

function indexGraph(def: Definition): Graph | undefined {
  try {
    return buildGraph(def);
  } catch {
    return undefined;
  }
}

/**
 * Follows a run's SSE stream: each `node` event, then the `run` event with
 * the whole run at its end; says in `notice` when the stream reconnects or
 * stops.
 */
function followRun(
  runId: string,
  notice: HTMLElement,
  on: { onNode(nodeId: string, node: NodeView): void; onStatus(run: RunView): void; onRun(run: RunView): void; onStop(): void },
): void {
  const events = new EventSource(`${runPath(runId)}/events`, { withCredentials: true });
  const stop = () => {
    events.close();
    on.onStop();
  };
  events.addEventListener('node', (e) => {
    const { runId: _run, nodeId, ...node } = JSON.parse((e as MessageEvent<string>).data) as NodeView & { runId: string; nodeId: string };
    on.onNode(nodeId, node);
  });
  events.addEventListener('run', (e) => {
    const run = JSON.parse((e as MessageEvent<string>).data) as RunView;
    // Paused or resumed: the stream goes on.
    if (isLive(run.status)) return on.onStatus(run);
    events.close();
    on.onRun(run);
  });
  events.addEventListener('error', (e) => {
    const data = (e as MessageEvent<string>).data;
    if (data) notice.textContent = `The stream stopped: ${(JSON.parse(data) as { message: string }).message}`;
    else if (events.readyState === EventSource.CONNECTING) notice.textContent = 'Reconnecting…';
    if (data || events.readyState === EventSource.CLOSED) stop();
  });
  events.addEventListener('open', () => {
    if (notice.textContent === 'Reconnecting…') notice.textContent = '';
  });
}

void mountProjectSwitcher();
void main();
