/** /workflows — saved workflows, by name, with their latest version and triggers. */
import { api, ApiProblem, editorPath } from './api';
import { mountProjectSwitcher } from './project-switcher';
import { fill, h } from './dom';
import { formatTime } from './format';
import type { WorkflowSummary } from './types';

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const cursor = new URLSearchParams(location.search).get('cursor') ?? '';
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  fill(root, h('h1', {}, 'Workflows', h('a', { href: '/editor', id: 'new-workflow', class: 'button' }, 'New workflow')), body);
  let page: { workflows: WorkflowSummary[]; nextCursor: string | null };
  try {
    page = await api(`/v1/workflows?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  } catch (err) {
    fill(body, h('p', { class: 'problem', role: 'alert' }, err instanceof ApiProblem ? err.message : String(err)));
    return;
  }
  if (page.workflows.length === 0) {
    fill(
      body,
      h('p', { class: 'empty' }, 'No saved workflows. Draw one in the ', h('a', { href: '/editor' }, 'editor'), ', or save one with PUT /v1/workflows/<name>.'),
    );
    return;
  }
  fill(
    body,
    h(
      'table',
      { class: 'list', id: 'workflows' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Name'),
          h('th', {}, 'Latest version'),
          h('th', {}, 'Triggers'),
          h('th', {}, 'Updated'),
          h('th', {}, 'Runs'),
          h('th', {}, 'Edit'),
        ),
      ),
      h(
        'tbody',
        {},
        ...page.workflows.map((w) =>
          h(
            'tr',
            { 'data-workflow': w.name },
            h('td', {}, h('a', { href: `/v1/workflows/${encodeURIComponent(w.name)}` }, w.name)),
            h('td', {}, h('code', {}, w.latestVersion)),
            h('td', {}, w.triggerKinds.join(', ') || '–'),
            h('td', {}, formatTime(w.updatedAt)),
            h('td', {}, h('a', { href: `/runs?workflow=${encodeURIComponent(w.name)}` }, 'runs')),
            h('td', {}, h('a', { href: editorPath(w.name) }, 'edit')),
          ),
        ),
      ),
    ),
    page.nextCursor
      ? h('nav', { class: 'pager' }, h('a', { href: `/workflows?cursor=${encodeURIComponent(page.nextCursor)}`, rel: 'next' }, 'Next page »'))
      : '',
  );
}

void mountProjectSwitcher();
void main();
