/** The run page's parts, built from what the API answered: the head, the metrics, the waiting nodes, a node's details. */
import { api, editorPath, runPagePath, runPath } from './api';
import { h } from './dom';
import { formatMs, formatPercent, formatTime } from './format';
import type { NodeView, RunView } from './types';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped', 'canceled']);

/** The head: name and status, where the run came from, then the given action, metric and notice elements. */
export function runHead(
  run: RunView,
  runId: string,
  parts: { status: HTMLElement; actions: HTMLElement; metrics: HTMLElement; notice: HTMLElement },
): HTMLElement {
  return h(
    'section',
    { class: 'run-head' },
    h('h1', {}, run.name, ' ', parts.status),
    h(
      'p',
      { class: 'meta' },
      h('code', { id: 'run-id' }, runId),
      run.workflow.version ? ` · version ${run.workflow.version}` : '',
      run.workflow.version
        ? h('span', {}, ' · ', h('a', { href: editorPath(run.workflow.name, run.workflow.version), id: 'edit-workflow' }, 'open in the editor'))
        : '',
      ` · ${run.trigger.kind}${run.trigger.id ? ` (${run.trigger.id})` : ''}`,
      ` · started ${formatTime(run.startedAt)}`,
      run.parent ? h('span', {}, ' · child of ', h('a', { href: runPagePath(run.parent.runId) }, `${run.parent.runId} › ${run.parent.nodeId}`)) : '',
      run.redriveOf ? h('span', {}, ' · redrive of ', h('a', { href: runPagePath(run.redriveOf.runId), id: 'redrive-of' }, run.redriveOf.runId)) : '',
      run.redrivenBy.length > 0
        ? h(
            'span',
            {},
            ' · redriven by ',
            ...run.redrivenBy.flatMap((id, i) => [i > 0 ? ', ' : '', h('a', { href: runPagePath(id), class: 'redriven-by' }, id)]),
          )
        : '',
      run.test ? h('span', { class: 'badge', id: 'test-run' }, 'test run') : '',
    ),
    parts.actions,
    parts.metrics,
    parts.notice,
  );
}

/** Cancel, armed by a first click and done by a second within five seconds. */
export function cancelRunButton(runId: string, notice: HTMLElement): HTMLButtonElement {
  let armed = false;
  const button = h('button', { type: 'button', id: 'cancel-run', class: 'danger' }, 'Cancel run') as HTMLButtonElement;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = 'Confirm cancel';
      setTimeout(() => {
        armed = false;
        button.textContent = 'Cancel run';
      }, 5000);
      return;
    }
    button.disabled = true;
    try {
      await api(`${runPath(runId)}/cancel`, { method: 'POST' });
      notice.textContent = 'Cancellation requested.';
    } catch (err) {
      notice.textContent = `Could not cancel: ${(err as Error).message}`;
      button.disabled = false;
    }
  });
  return button;
}

/** Pause or Resume (POST …/pause, …/resume): the run's new view goes to `onRun`. */
export function controlRunButton(runId: string, action: 'pause' | 'resume', notice: HTMLElement, onRun: (run: RunView) => void): HTMLButtonElement {
  const label = action === 'pause' ? 'Pause' : 'Resume';
  const title = action === 'pause' ? 'Start no more nodes until resumed; nodes already running finish' : 'Start what became ready';
  const button = h('button', { type: 'button', id: `${action}-run`, title }, label) as HTMLButtonElement;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      onRun(await api<RunView>(`${runPath(runId)}/${action}`, { method: 'POST' }));
      notice.textContent = '';
    } catch (err) {
      notice.textContent = `Could not ${action}: ${(err as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * Redrive (POST …/redrive): a new run that reuses what succeeded and runs
 * what failed; the page then opens the new run.
 */
export function redriveRunButton(runId: string, notice: HTMLElement): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', id: 'redrive-run', title: 'Run again from what failed: nodes that succeeded keep their outputs and do not run again' },
    'Redrive',
  ) as HTMLButtonElement;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const created = await api<{ runId: string; reused: string[] }>(`${runPath(runId)}/redrive`, { method: 'POST' });
      window.location.assign(runPagePath(created.runId));
    } catch (err) {
      notice.textContent = `Could not redrive: ${(err as Error).message}`;
      button.disabled = false;
    }
  });
  return button;
}

/** Nodes done, wall time, work time (the critical path of what nodes took), efficiency, the run's error. */
export function metricsView(run: RunView, wallMs: number, workMs: number): (HTMLElement | string)[] {
  const nodes = Object.values(run.nodes);
  const done = nodes.filter((n) => TERMINAL.has(n.status)).length;
  return [
    h('div', {}, h('dt', {}, 'Nodes'), h('dd', { id: 'nodes-done' }, `${done} / ${nodes.length}`)),
    h('div', {}, h('dt', {}, 'Wall time'), h('dd', { id: 'wall-ms' }, formatMs(wallMs))),
    h(
      'div',
      { title: 'Longest path through the graph weighted by what each node took: what an ideal executor would need' },
      h('dt', {}, 'Work time'),
      h('dd', { id: 'work-ms' }, formatMs(workMs)),
    ),
    h(
      'div',
      { title: 'Work time / wall time' },
      h('dt', {}, 'Efficiency'),
      h('dd', { id: 'efficiency' }, formatPercent(wallMs > 0 ? workMs / wallMs : undefined)),
    ),
    run.error ? h('div', { class: 'run-error' }, h('dt', {}, 'Error'), h('dd', {}, `${run.error.type}: ${run.error.message}`)) : '',
  ];
}

/** The nodes waiting for an answer: Approve and Reject for an approval, where to send the event for a wait. */
export function waitingView(
  run: RunView,
  runId: string,
  labels: ReadonlyMap<string, string>,
  on: { onNode(nodeId: string, node: NodeView): void; onError(message: string): void },
): HTMLElement[] {
  const asks = Object.entries(run.nodes).filter(([, n]) => n.status === 'waiting' && n.waiting);
  if (asks.length === 0) return [];
  return [
    h('h2', {}, 'Waiting'),
    ...asks.map(([nodeId, n]) => {
      const w = n.waiting!;
      const line = h(
        'div',
        { class: 'ask', 'data-node-id': nodeId },
        h('strong', {}, labels.get(nodeId) ?? nodeId),
        w.prompt ? ` — ${w.prompt}` : '',
        w.timeoutAt ? ` (until ${formatTime(w.timeoutAt)})` : '',
        ' ',
      );
      if (w.kind !== 'approval') {
        line.append(
          h(
            'span',
            {},
            'waits for event ',
            h('code', {}, w.event ?? ''),
            ': ',
            h('code', {}, `POST ${runPath(runId)}/events/${encodeURIComponent(w.event ?? '')}`),
          ),
        );
        return line;
      }
      for (const approved of [true, false]) {
        const b = h('button', { type: 'button', class: approved ? 'approve' : 'danger' }, approved ? 'Approve' : 'Reject') as HTMLButtonElement;
        b.addEventListener('click', async () => {
          b.disabled = true;
          try {
            on.onNode(nodeId, await api<NodeView>(`${runPath(runId)}/nodes/${encodeURIComponent(nodeId)}/decision`, { method: 'POST', body: { approved } }));
          } catch (err) {
            on.onError(`Could not decide: ${(err as Error).message}`);
            b.disabled = false;
          }
        });
        line.append(b, ' ');
      }
      return line;
    }),
  ];
}

/** One node: its facts, its logs (code), its error and its output. */
export function detailsView(nodeId: string, node: NodeView | undefined, label: string | undefined, type: string | undefined): (HTMLElement | string)[] {
  const n = node ?? { status: 'pending', attempts: 0 };
  const row = (term: string, value: Node | string) => h('div', {}, h('dt', {}, term), h('dd', {}, value));
  return [
    h('h2', {}, label ?? nodeId),
    h(
      'dl',
      { class: 'node-facts' },
      row('Id', h('code', {}, nodeId)),
      row('Type', type ?? n.type ?? '–'),
      row('Status', h('span', { class: `badge status-${n.status}` }, n.status)),
      row('Attempts', String(n.attempts)),
      row('Execution', n.execution ?? '–'),
      row('Queued', formatMs(n.queuedMs)),
      row('Ran', formatMs(n.runMs)),
      row('Started', formatTime(n.startedAt)),
      row('Finished', formatTime(n.finishedAt)),
      n.progress ? row('Items', `${n.progress.done} / ${n.progress.total} (${n.progress.failed} failed)`) : '',
      n.childRunId ? row('Child run', h('a', { href: runPagePath(n.childRunId) }, n.childRunId)) : '',
      n.reused ? row('Not run', h('span', { id: 'node-reused' }, 'output reused from ', h('a', { href: runPagePath(n.reused.runId) }, n.reused.runId))) : '',
      n.pinned ? row('Not run', h('span', { id: 'node-pinned' }, 'output pinned by this test run')) : '',
    ),
    n.logs?.length ? h('div', { class: 'node-logs' }, h('h3', {}, 'Logs'), h('pre', { id: 'node-logs' }, logText(n.logs))) : '',
    n.error ? h('div', { class: 'node-error' }, h('h3', {}, 'Error'), h('pre', {}, json(n.error))) : '',
    n.output !== undefined ? h('div', {}, h('h3', {}, 'Output'), h('pre', {}, json(n.output))) : '',
  ];
}

/** A code node's console, one line per call: its level, then its message. */
function logText(logs: readonly { level: string; message: string }[]): string {
  return logs.map((l) => `${l.level.padEnd(5)} ${l.message}`).join('\n');
}

function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (${text.length - 20_000} more characters)` : text;
}
