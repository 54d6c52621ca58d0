/**
 * /runs — recent runs, newest first, filtered by workflow name and status
 * (the URL's query, so a filtered page can be bookmarked) and paged by the
 * API's cursor (`?limit=` sets the page size, 50 by default).
 */
import { api, ApiProblem, RUN_STATUS_ORDER, runPagePath } from './api';
import { mountProjectSwitcher } from './project-switcher';
import { fill, h } from './dom';
import { elapsedMs, formatMs, formatTime } from './format';
import type { RunSummary } from './types';

const PAGE_SIZE = 50;

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const params = new URLSearchParams(location.search);
  const workflow = params.get('workflow') ?? '';
  const status = params.get('status') ?? '';
  const cursor = params.get('cursor') ?? '';
  const limit = Math.min(1000, Math.max(1, Number(params.get('limit')) || PAGE_SIZE));

  const form = h(
    'form',
    { class: 'filters', method: 'get', action: '/runs' },
    h('label', {}, 'Workflow ', h('input', { name: 'workflow', value: workflow, placeholder: 'any', maxlength: 200 })),
    h(
      'label',
      {},
      'Status ',
      h(
        'select',
        { name: 'status' },
        h('option', { value: '' }, 'any'),
        ...RUN_STATUS_ORDER.map((st) => h('option', { value: st, selected: st === status }, st.replace('_', ' '))),
      ),
    ),
    h('button', { type: 'submit' }, 'Filter'),
    workflow || status ? h('a', { href: '/runs' }, 'Clear') : '',
  );
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  fill(root, h('h1', {}, 'Runs'), form, body);

  const query = new URLSearchParams({ limit: String(limit) });
  if (workflow) query.set('workflow', workflow);
  if (status) query.set('status', status);
  if (cursor) query.set('cursor', cursor);
  let page: { runs: RunSummary[]; nextCursor: string | null };
  try {
    page = await api(`/v1/runs?${query}`);
  } catch (err) {
    fill(body, h('p', { class: 'problem', role: 'alert' }, err instanceof ApiProblem ? err.message : String(err)));
    return;
  }
  if (page.runs.length === 0) {
    fill(
      body,
      h('p', { class: 'empty' }, workflow || status ? 'No run matches.' : 'No runs yet. Start one with POST /v1/runs or `npx braid run <file.json>`.'),
    );
    return;
  }
  const now = Date.now();
  const next = new URLSearchParams(params);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  const first = new URLSearchParams(params);
  first.delete('cursor');
  fill(
    body,
    h(
      'table',
      { class: 'list', id: 'runs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Run'),
          h('th', {}, 'Workflow'),
          h('th', {}, 'Version'),
          h('th', {}, 'Status'),
          h('th', {}, 'Started'),
          h('th', {}, 'Duration'),
        ),
      ),
      h(
        'tbody',
        {},
        ...page.runs.map((r) =>
          h(
            'tr',
            { 'data-run-id': r.runId },
            h('td', {}, h('a', { href: runPagePath(r.runId) }, r.runId)),
            h('td', {}, h('a', { href: `/runs?workflow=${encodeURIComponent(r.name)}` }, r.name)),
            h('td', {}, r.version ?? '–'),
            h('td', {}, h('span', { class: `badge status-${r.status}` }, r.status.replace('_', ' '))),
            h('td', {}, formatTime(r.startedAt)),
            h('td', { class: 'num' }, formatMs(elapsedMs(r.startedAt, r.finishedAt, now))),
          ),
        ),
      ),
    ),
    h(
      'nav',
      { class: 'pager' },
      cursor ? h('a', { href: `/runs?${first}` }, '« First page') : '',
      page.nextCursor ? h('a', { href: `/runs?${next}`, rel: 'next' }, 'Next page »') : '',
    ),
  );
}

void mountProjectSwitcher();
void main();
