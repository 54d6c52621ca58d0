/**
 * /runs/:runId — one run, live. Reads the run and the definition it ran, lays
 * the graph out in a worker, then follows the run's SSE stream: each `node`
 * event recolours one box and moves one timeline row; the final `run` event
 * brings the settled metrics.
 */
import { buildGraph, type Graph } from '../../graph/graph';
import { criticalPath } from '../../graph/critical-path';
import { api, ApiProblem, runPagePath, runPath } from './api';
import { fill, h } from './dom';
import { elapsedMs, formatMs, formatPercent, formatTime } from './format';
import { GraphView, NODE_HEIGHT, NODE_WIDTH } from './graph-view';
import { Timeline } from './timeline';
import type { Definition, LayoutRequest, LayoutResult, NodeView, RunView } from './types';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped', 'canceled']);
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
    fill(root, h('p', { class: 'problem', role: 'alert' }, err instanceof ApiProblem && err.status === 404 ? `No run "${runId}".` : `Could not read the run: ${(err as Error).message}`));
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
  const details = h('aside', { class: 'details', 'aria-label': 'Node details' }, h('p', { class: 'hint' }, 'Select a node to see its attempts, times, output and error.'));
  fill(
    root,
    h(
      'section',
      { class: 'run-head' },
      h('h1', {}, run.name, ' ', status),
      h(
        'p',
        { class: 'meta' },
        h('code', { id: 'run-id' }, runId),
        run.workflow.version ? ` · version ${run.workflow.version}` : '',
        ` · ${run.trigger.kind}${run.trigger.id ? ` (${run.trigger.id})` : ''}`,
        ` · started ${formatTime(run.startedAt)}`,
        run.parent ? h('span', {}, ' · child of ', h('a', { href: runPagePath(run.parent.runId) }, `${run.parent.runId} › ${run.parent.nodeId}`)) : '',
      ),
      actions,
      metrics,
      notice,
    ),
    waiting,
    h('div', { class: 'panes' }, graphView.element, timeline.element),
    details,
  );

  let cancelArmed = false;
  const cancelButton = h('button', { type: 'button', id: 'cancel-run', class: 'danger' }, 'Cancel run');
  cancelButton.addEventListener('click', async () => {
    if (!cancelArmed) {
      cancelArmed = true;
      cancelButton.textContent = 'Confirm cancel';
      setTimeout(() => {
        cancelArmed = false;
        cancelButton.textContent = 'Cancel run';
      }, 5000);
      return;
    }
    cancelButton.disabled = true;
    try {
      await api(`${runPath(runId)}/cancel`, { method: 'POST' });
      notice.textContent = 'Cancellation requested.';
    } catch (err) {
      notice.textContent = `Could not cancel: ${(err as Error).message}`;
      cancelButton.disabled = false;
    }
  });
  fill(
    actions,
    cancelButton,
    h('a', { href: run.links.temporalUi, id: 'temporal-ui-link', target: '_blank', rel: 'noopener' }, 'Open in Temporal Web UI'),
    h('a', { href: runPath(runId) }, 'JSON'),
    h('a', { href: `/runs?workflow=${encodeURIComponent(run.workflow.name)}` }, `All runs of ${run.workflow.name}`),
  );

  function renderHead(now: number): void {
    status.textContent = run.status.replace('_', ' ');
    status.className = `badge status-${run.status}`;
    document.body.dataset.runStatus = run.status;
    cancelButton.hidden = run.status !== 'running';
    const nodes = Object.values(run.nodes);
    const done = nodes.filter((n) => TERMINAL.has(n.status)).length;
    const finished = run.status !== 'running';
    const wall = finished ? run.metrics.wallMs : (elapsedMs(run.startedAt, null, now) ?? 0);
    const work = finished ? run.metrics.workMs : live.workMs;
    fill(
      metrics,
      h('div', {}, h('dt', {}, 'Nodes'), h('dd', { id: 'nodes-done' }, `${done} / ${nodes.length}`)),
      h('div', {}, h('dt', {}, 'Wall time'), h('dd', { id: 'wall-ms' }, formatMs(wall))),
      h('div', { title: 'Longest path through the graph weighted by what each node took: what an ideal executor would need' }, h('dt', {}, 'Work time'), h('dd', { id: 'work-ms' }, formatMs(work))),
      h('div', { title: 'Work time / wall time' }, h('dt', {}, 'Efficiency'), h('dd', { id: 'efficiency' }, formatPercent(wall > 0 ? work / wall : undefined))),
      run.error ? h('div', { class: 'run-error' }, h('dt', {}, 'Error'), h('dd', {}, `${run.error.type}: ${run.error.message}`)) : '',
    );
  }

  function renderWaiting(): void {
    const asks = Object.entries(run.nodes).filter(([, n]) => n.status === 'waiting' && n.waiting);
    if (asks.length === 0) return fill(waiting);
    fill(
      waiting,
      h('h2', {}, 'Waiting'),
      ...asks.map(([nodeId, n]) => {
        const w = n.waiting!;
        const line = h('div', { class: 'ask', 'data-node-id': nodeId }, h('strong', {}, labels.get(nodeId) ?? nodeId), w.prompt ? ` — ${w.prompt}` : '', w.timeoutAt ? ` (until ${formatTime(w.timeoutAt)})` : '', ' ');
        if (w.kind === 'approval') {
          for (const approved of [true, false]) {
            const b = h('button', { type: 'button', class: approved ? 'approve' : 'danger' }, approved ? 'Approve' : 'Reject');
            b.addEventListener('click', async () => {
              b.disabled = true;
              try {
                const state = await api<NodeView>(`${runPath(runId)}/nodes/${encodeURIComponent(nodeId)}/decision`, { method: 'POST', body: { approved, by: 'run page' } });
                onNode(nodeId, state);
              } catch (err) {
                notice.textContent = `Could not decide: ${(err as Error).message}`;
                b.disabled = false;
              }
            });
            line.append(b, ' ');
          }
        } else {
          line.append(h('span', {}, 'waits for event ', h('code', {}, w.event ?? ''), ': ', h('code', {}, `POST ${runPath(runId)}/events/${encodeURIComponent(w.event ?? '')}`)));
        }
        return line;
      }),
    );
  }

  function renderDetails(): void {
    if (!selected) return;
    const n = run.nodes[selected] ?? { status: 'pending', attempts: 0 };
    const row = (term: string, value: Node | string) => h('div', {}, h('dt', {}, term), h('dd', {}, value));
    fill(
      details,
      h('h2', {}, labels.get(selected) ?? selected),
      h(
        'dl',
        { class: 'node-facts' },
        row('Id', h('code', {}, selected)),
        row('Type', types.get(selected) ?? n.type ?? '–'),
        row('Status', h('span', { class: `badge status-${n.status}` }, n.status)),
        row('Attempts', String(n.attempts)),
        row('Execution', n.execution ?? '–'),
        row('Queued', formatMs(n.queuedMs)),
        row('Ran', formatMs(n.runMs)),
        row('Started', formatTime(n.startedAt)),
        row('Finished', formatTime(n.finishedAt)),
        n.progress ? row('Items', `${n.progress.done} / ${n.progress.total} (${n.progress.failed} failed)`) : '',
        n.childRunId ? row('Child run', h('a', { href: runPagePath(n.childRunId) }, n.childRunId)) : '',
      ),
      n.error ? h('div', { class: 'node-error' }, h('h3', {}, 'Error'), h('pre', {}, json(n.error))) : '',
      n.output !== undefined ? h('div', {}, h('h3', {}, 'Output'), h('pre', {}, json(n.output))) : '',
    );
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
    if (!laidOut) dirty.clear(); // the layout's arrival colours everything
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

  if (run.status === 'running') follow();

  function follow(): void {
    const events = new EventSource(`${runPath(runId)}/events`, { withCredentials: true });
    const tick = setInterval(schedule, TICK_MS);
    const stop = () => {
      events.close();
      clearInterval(tick);
    };
    events.addEventListener('node', (e) => {
      const { runId: _run, nodeId, ...node } = JSON.parse((e as MessageEvent<string>).data) as NodeView & { runId: string; nodeId: string };
      onNode(nodeId, node);
    });
    events.addEventListener('run', (e) => {
      run = JSON.parse((e as MessageEvent<string>).data) as RunView;
      for (const id of Object.keys(run.nodes)) dirty.add(id);
      stop();
      renderWaiting();
      schedule();
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
  const depth = graph ? criticalPath(graph, graph.nodes.map(() => 1)).ms : 0;
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

function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (${text.length - 20_000} more characters)` : text;
}

void main();
