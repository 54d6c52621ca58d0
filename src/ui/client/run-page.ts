/**
 * /runs/:runId — one run, live. Reads the run and the definition it ran, lays
 * the graph out in a worker, then follows the run's SSE stream: each `node`
 * event recolours one box and moves one timeline row; the final `run` event
 * brings the settled metrics.
 */
import { buildGraph, type Graph } from '../../graph/graph';
import { criticalPath } from '../../graph/critical-path';
import { api, ApiProblem, runPath } from './api';
import { fill, h } from './dom';
import { elapsedMs } from './format';
import { GraphView, NODE_HEIGHT, NODE_WIDTH } from './graph-view';
import { cancelRunButton, detailsView, metricsView, redriveRunButton, runHead, waitingView } from './run-views';
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
  let run: RunView;
  let def: Definition;
  // The layout is the slow part: it starts as soon as the definition is here.
  const definition = api<Definition>(`${runPath(runId)}/definition`);
  const layout = definition.then((d) => layOut(d, indexGraph(d)));
  layout.catch(() => {});
  try {
    [run, def] = await Promise.all([api<RunView>(runPath(runId)), definition]);
  } catch (err) {
    fill(
      root,
      h(
        'p',
        { class: 'problem', role: 'alert' },
        err instanceof ApiProblem && err.status === 404 ? `No run "${runId}".` : `Could not read the run: ${(err as Error).message}`,
      ),
    );
    return;
  }
  document.title = `${run.name} · ${runId} · Braid`;
  const labels = new Map(def.nodes.map((n) => [n.id, n.label ?? n.id]));
  const types = new Map(def.nodes.map((n) => [n.id, n.type]));
  const order = new Map(def.nodes.map((n, i) => [n.id, i]));
  const graph = indexGraph(def); // undefined: drawn without a critical path

  let selected: string | undefined;
  const select = (nodeId: string) => {
    selected = nodeId;
    graphView.select(nodeId);
    renderDetails();
  };
  const graphView = new GraphView(select);
  const timeline = new Timeline(select);

  const status = h('span', { class: 'badge', id: 'run-status' });
  const metrics = h('dl', { class: 'metrics' });
  const actions = h('div', { class: 'actions' });
  const waiting = h('section', { class: 'waiting', 'aria-label': 'Waiting for an answer' });
  const notice = h('p', { class: 'notice', role: 'status' });
  const details = h(
    'aside',
    { class: 'details', 'aria-label': 'Node details' },
    h('p', { class: 'hint' }, 'Select a node to see its attempts, times, output and error.'),
  );
  fill(root, runHead(run, runId, { status, actions, metrics, notice }), waiting, h('div', { class: 'panes' }, graphView.element, timeline.element), details);

  const cancelButton = cancelRunButton(runId, notice);
  const redriveButton = redriveRunButton(runId, notice);
  fill(
    actions,
    cancelButton,
    redriveButton,
    h('a', { href: run.links.temporalUi, id: 'temporal-ui-link', target: '_blank', rel: 'noopener' }, 'Open in Temporal Web UI'),
    h('a', { href: runPath(runId) }, 'JSON'),
    h('a', { href: `/runs?workflow=${encodeURIComponent(run.workflow.name)}` }, `All runs of ${run.workflow.name}`),
  );

  function renderHead(now: number): void {
    status.textContent = run.status.replace('_', ' ');
    status.className = `badge status-${run.status}`;
    document.body.dataset.runStatus = run.status;
    cancelButton.hidden = run.status !== 'running';
    // Finished without succeeding: failed, canceled, terminated or timed out.
    redriveButton.hidden = run.status === 'running' || run.status === 'succeeded';
    const wall = run.status !== 'running' ? run.metrics.wallMs : (elapsedMs(run.startedAt, null, now) ?? 0);
    const work = run.status !== 'running' ? run.metrics.workMs : live.workMs;
    fill(metrics, ...metricsView(run, wall, work));
  }

  function renderWaiting(): void {
    fill(waiting, ...waitingView(run, runId, labels, { onNode, onError: (message) => (notice.textContent = message) }));
  }

  function renderDetails(): void {
    if (selected) fill(details, ...detailsView(selected, run.nodes[selected], labels.get(selected), types.get(selected)));
  }

  // Live state: what changed since the last frame, drawn at most once a frame.
  const live = { workMs: 0, path: [] as string[] };
  const dirty = new Set<string>(Object.keys(run.nodes));
  let laidOut = false;
  let frame = 0;
  let lastTimeline = 0;
  let timelineBehind = false;
  const draw = () => {
    frame = 0;
    const now = Date.now();
    const changed = dirty.size > 0;
    // A burst (hundreds of nodes ending at once) is drawn over a few frames, not one long one.
    if (!laidOut)
      dirty.clear(); // the layout's arrival colours everything
    else {
      let drawn = 0;
      for (const id of dirty) {
        if (drawn++ >= CHANGES_PER_FRAME) break;
        graphView.setStatus(id, run.nodes[id]?.status ?? 'pending');
        dirty.delete(id);
      }
    }
    if (changed || run.status === 'running') {
      if (graph) {
        const durations = graph.nodes.map(({ id }) => {
          const n = run.nodes[id];
          if (!n) return undefined;
          if (n.runMs !== undefined) return n.runMs;
          return n.status === 'running' && n.execution !== 'workflow' ? elapsedMs(n.startedAt, null, now) : undefined;
        });
        const cp = criticalPath(graph, durations);
        live.workMs = cp.ms;
        live.path = cp.path;
        if (laidOut) graphView.setCriticalPath(cp.path);
      }
    }
    if (timelineBehind || now - lastTimeline >= (changed ? TIMELINE_MIN_MS : TICK_MS / 2) || run.status !== 'running') {
      lastTimeline = now;
      timelineBehind = timeline.update(
        { startedAt: run.startedAt, finishedAt: run.finishedAt, nodes: run.nodes, labels, order, critical: new Set(live.path), now },
        CHANGES_PER_FRAME,
      );
    }
    renderHead(now);
    renderDetails();
    if (dirty.size > 0 || timelineBehind) schedule();
  };
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };

  function onNode(nodeId: string, node: NodeView): void {
    const before = run.nodes[nodeId];
    run.nodes[nodeId] = node;
    dirty.add(nodeId);
    if ((before?.status === 'waiting') !== (node.status === 'waiting')) renderWaiting();
    schedule();
  }

  layout.then(
    (result) => {
      graphView.draw(def, result);
      laidOut = true;
      for (const id of def.nodes.map((n) => n.id)) dirty.add(id);
      draw();
      document.body.dataset.graph = 'ready';
      document.body.dataset.layoutMs = String(Math.round(result.ms));
    },
    (err: unknown) => {
      notice.textContent = `Could not lay out the graph: ${(err as Error).message ?? String(err)}`;
    },
  );

  renderWaiting();
  draw();

  if (run.status !== 'running') return;
  const tick = setInterval(schedule, TICK_MS);
  followRun(runId, notice, {
    onNode,
    onRun(final) {
      clearInterval(tick);
      run = final;
      for (const id of Object.keys(run.nodes)) dirty.add(id);
      renderWaiting();
      schedule();
    },
    onStop: () => clearInterval(tick),
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
function followRun(runId: string, notice: HTMLElement, on: { onNode(nodeId: string, node: NodeView): void; onRun(run: RunView): void; onStop(): void }): void {
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
    events.close();
    on.onRun(JSON.parse((e as MessageEvent<string>).data) as RunView);
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

void main();
