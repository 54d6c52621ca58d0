/**
 * /credentials — the current project's credentials: names, types, the hosts
 * each may be sent to, and when it was made, rotated and last used. Owners
 * add, rotate and delete them. A value goes in through a password field and
 * never comes back: the API does not answer it, so this page cannot show it.
 */
import { api, ApiProblem } from './api';
import { fill, h } from './dom';
import { formatTime } from './format';
import { mountProjectSwitcher } from './project-switcher';

interface Credential {
  name: string;
  type: string;
  allowedHosts: string[];
  createdAt: string;
  rotatedAt: string | null;
  lastUsedAt: string | null;
}

/** Each type's fields: [name, label, secret?, optional?]. */
const FIELDS: Record<string, [string, string, boolean, boolean?][]> = {
  bearer: [['token', 'Token', true]],
  basic: [
    ['username', 'Username', false],
    ['password', 'Password', true],
  ],
  header: [
    ['name', 'Header name', false],
    ['value', 'Header value', true],
  ],
  query: [
    ['name', 'Query parameter', false],
    ['value', 'Value', true],
  ],
  oauth2ClientCredentials: [
    ['tokenUrl', 'Token URL', false],
    ['clientId', 'Client id', false],
    ['clientSecret', 'Client secret', true],
    ['scope', 'Scope (optional)', false, true],
  ],
};

const problemText = (err: unknown) => (err instanceof ApiProblem ? [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join('; ') : String(err));

/** The type's fields as inputs; secret ones are password fields, never filled in. */
function fieldInputs(type: string): HTMLElement[] {
  return FIELDS[type]!.map(([name, label, secret]) =>
    h('label', {}, label, ' ', h('input', { name: `data.${name}`, type: secret ? 'password' : 'text', autocomplete: secret ? 'new-password' : 'off' })),
  );
}

/** The `data` of a form: its `data.*` inputs, empty optional ones left out. */
function dataOf(form: HTMLFormElement, type: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [name, , , optional] of FIELDS[type]!) {
    const value = (form.elements.namedItem(`data.${name}`) as HTMLInputElement).value;
    if (value !== '' || !optional) data[name] = value;
  }
  return data;
}

const hostsOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);

function createForm(reload: () => void): HTMLFormElement {
  const type = h('select', { name: 'type', id: 'credential-type' }, ...Object.keys(FIELDS).map((t) => h('option', { value: t }, t)));
  const fields = h('div', { class: 'fields' }, ...fieldInputs('bearer'));
  type.addEventListener('change', () => fill(fields, ...fieldInputs(type.value)));
  const problem = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    { id: 'new-credential', class: 'panel-form' },
    h('h2', {}, 'New credential'),
    h('label', {}, 'Name ', h('input', { name: 'name', required: true, pattern: '[A-Za-z0-9_-]+' })),
    h('label', {}, 'Type ', type),
    fields,
    h('label', {}, 'Allowed hosts ', h('input', { name: 'hosts', placeholder: 'api.stripe.com, 127.0.0.1:4000', required: true })),
    h('button', { type: 'submit' }, 'Add'),
    problem,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const get = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value;
    api('/v1/credentials', {
      method: 'POST',
      body: { name: get('name'), type: type.value, data: dataOf(form, type.value), allowedHosts: hostsOf(get('hosts')) },
    }).then(
      () => {
        // Nothing typed stays on the page.
        form.reset();
        fill(fields, ...fieldInputs(type.value));
        problem.textContent = '';
        reload();
      },
      (err: unknown) => (problem.textContent = problemText(err)),
    );
  });
  return form;
}

/** A row's rotate form: new secret fields (and hosts), sent with PUT. */
function rotateForm(c: Credential, reload: () => void): HTMLFormElement {
  const problem = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    { class: 'rotate', 'data-rotate': c.name },
    ...fieldInputs(c.type),
    h('label', {}, 'Allowed hosts ', h('input', { name: 'hosts', value: c.allowedHosts.join(', ') })),
    h('button', { type: 'submit' }, 'Save new value'),
    problem,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const hosts = hostsOf((form.elements.namedItem('hosts') as HTMLInputElement).value);
    api(`/v1/credentials/${encodeURIComponent(c.name)}`, { method: 'PUT', body: { data: dataOf(form, c.type), allowedHosts: hosts } }).then(
      reload,
      (err: unknown) => (problem.textContent = problemText(err)),
    );
  });
  return form;
}

function row(c: Credential, reload: () => void): HTMLTableRowElement {
  const actions = h('td', {});
  const rotate = h('button', { type: 'button' }, 'Rotate');
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  rotate.addEventListener('click', () => fill(actions, rotateForm(c, reload)));
  remove.addEventListener('click', () => {
    if (!confirm(`Delete credential "${c.name}"? Nodes that name it will fail.`)) return;
    api(`/v1/credentials/${encodeURIComponent(c.name)}`, { method: 'DELETE' }).then(reload, (err: unknown) => alert(problemText(err)));
  });
  fill(actions, rotate, ' ', remove);
  return h(
    'tr',
    { 'data-credential': c.name },
    h('td', {}, h('code', {}, c.name)),
    h('td', {}, c.type),
    h('td', {}, c.allowedHosts.join(', ')),
    h('td', {}, formatTime(c.createdAt)),
    h('td', {}, c.rotatedAt ? formatTime(c.rotatedAt) : '–'),
    h('td', {}, c.lastUsedAt ? formatTime(c.lastUsedAt) : 'never'),
    actions,
  );
}

async function main(): Promise<void> {
  void mountProjectSwitcher();
  const root = document.getElementById('app')!;
  const list = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const reload = () => void load();
  fill(
    root,
    h('h1', {}, 'Credentials'),
    h('p', { class: 'meta' }, 'Keys to other services for http nodes ("auth": { "credential": "<name>" }). Values are sealed and never shown again.'),
    list,
    createForm(reload),
  );
  async function load(): Promise<void> {
    try {
      const { credentials } = await api<{ credentials: Credential[] }>('/v1/credentials');
      fill(
        list,
        credentials.length === 0
          ? h('p', { class: 'empty' }, 'No credentials in this project.')
          : h(
              'table',
              { class: 'list', id: 'credentials' },
              h('thead', {}, h('tr', {}, ...['Name', 'Type', 'Allowed hosts', 'Created', 'Rotated', 'Last used', ''].map((t) => h('th', {}, t)))),
              h('tbody', {}, ...credentials.map((c) => row(c, reload))),
            ),
      );
    } catch (err) {
      fill(list, h('p', { class: 'problem', role: 'alert' }, problemText(err)));
    }
  }
  await load();
}

void main();
