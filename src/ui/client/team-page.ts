/**
 * /team — who may do what in the current project, for its owners: members
 * (people `oidc:<subject>` and keys `key:<id>`) with their roles, changed or
 * removed in place; API keys with a role here, made (the key shown this
 * once) and revoked.
 */
import { api, ApiProblem } from './api';
import { fill, h } from './dom';
import { formatTime } from './format';
import { mountProjectSwitcher } from './project-switcher';

const ROLES = ['viewer', 'operator', 'editor', 'owner'] as const;

interface Member {
  principal: string;
  role: string;
}
interface Key {
  id: string;
  name: string;
  principal: string;
  roles: Record<string, string>;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const problemText = (err: unknown) => (err instanceof ApiProblem ? [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join('; ') : String(err));
const roleSelect = (name: string, selected = 'viewer') => h('select', { name }, ...ROLES.map((r) => h('option', { value: r, selected: r === selected }, r)));
const membersPath = (project: string, principal?: string) =>
  `/v1/projects/${encodeURIComponent(project)}/members${principal === undefined ? '' : `/${encodeURIComponent(principal)}`}`;

function memberRow(project: string, m: Member, problem: HTMLElement, reload: () => void): HTMLTableRowElement {
  const role = roleSelect('role', m.role);
  role.addEventListener('change', () =>
    api(membersPath(project, m.principal), { method: 'PUT', body: { role: role.value } }).then(
      reload,
      (err: unknown) => (problem.textContent = problemText(err)),
    ),
  );
  const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
  remove.addEventListener('click', () =>
    api(membersPath(project, m.principal), { method: 'DELETE' }).then(reload, (err: unknown) => (problem.textContent = problemText(err))),
  );
  return h('tr', { 'data-member': m.principal }, h('td', {}, h('code', {}, m.principal)), h('td', {}, role), h('td', {}, remove));
}

function addMemberForm(project: string, problem: HTMLElement, reload: () => void): HTMLFormElement {
  const form = h(
    'form',
    { id: 'add-member', class: 'panel-form' },
    h('label', {}, 'Principal ', h('input', { name: 'principal', placeholder: 'oidc:<subject> or key:<id>', required: true })),
    h('label', {}, 'Role ', roleSelect('role')),
    h('button', { type: 'submit' }, 'Add member'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const principal = (form.elements.namedItem('principal') as HTMLInputElement).value.trim();
    const role = (form.elements.namedItem('role') as HTMLSelectElement).value;
    api(membersPath(project, principal), { method: 'PUT', body: { role } }).then(
      () => {
        form.reset();
        reload();
      },
      (err: unknown) => (problem.textContent = problemText(err)),
    );
  });
  return form;
}

function newKeyForm(project: string, shown: HTMLElement, problem: HTMLElement, reload: () => void): HTMLFormElement {
  const form = h(
    'form',
    { id: 'new-key', class: 'panel-form' },
    h('label', {}, 'Name ', h('input', { name: 'name', required: true })),
    h('label', {}, `Role in ${project} `, roleSelect('role', 'operator')),
    h('label', {}, 'Expires ', h('input', { name: 'expiresAt', type: 'date' })),
    h('button', { type: 'submit' }, 'Make key'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const get = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value;
    const expires = get('expiresAt');
    api<{ key: string; principal: string }>('/v1/keys', {
      method: 'POST',
      body: { name: get('name'), roles: { [project]: get('role') }, ...(expires ? { expiresAt: new Date(`${expires}T00:00:00Z`).toISOString() } : {}) },
    }).then(
      (made) => {
        form.reset();
        fill(shown, 'Copy it now: this is the only time it is shown. ', h('code', { id: 'new-key-value' }, made.key), ` (${made.principal})`);
        reload();
      },
      (err: unknown) => (problem.textContent = problemText(err)),
    );
  });
  return form;
}

function keyRow(k: Key, problem: HTMLElement, reload: () => void): HTMLTableRowElement {
  const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke');
  revoke.disabled = k.revokedAt !== null;
  revoke.addEventListener('click', () =>
    api(`/v1/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' }).then(reload, (err: unknown) => (problem.textContent = problemText(err))),
  );
  const state = k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : k.expiresAt ? `expires ${formatTime(k.expiresAt)}` : 'active';
  return h(
    'tr',
    { 'data-key': k.id },
    h('td', {}, k.name),
    h('td', {}, h('code', {}, k.principal)),
    h(
      'td',
      {},
      Object.entries(k.roles)
        .map(([p, r]) => `${p}=${r}`)
        .join(', '),
    ),
    h('td', {}, state),
    h('td', {}, revoke),
  );
}

async function main(): Promise<void> {
  const project = await mountProjectSwitcher();
  const root = document.getElementById('app')!;
  const problem = h('p', { class: 'problem', role: 'alert' });
  const members = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const keys = h('div', {});
  const shown = h('p', { class: 'notice', id: 'key-shown' });
  const reload = () => void load();
  fill(
    root,
    h('h1', {}, `Team of ${project}`),
    problem,
    h('h2', {}, 'Members'),
    members,
    addMemberForm(project, problem, reload),
    h('h2', {}, 'API keys'),
    shown,
    keys,
    newKeyForm(project, shown, problem, reload),
  );
  async function load(): Promise<void> {
    try {
      const [m, k] = await Promise.all([api<{ members: Member[] }>(membersPath(project)), api<{ keys: Key[] }>('/v1/keys')]);
      fill(
        members,
        h(
          'table',
          { class: 'list', id: 'members' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Principal'), h('th', {}, 'Role'), h('th', {}, ''))),
          h('tbody', {}, ...m.members.map((x) => memberRow(project, x, problem, reload))),
        ),
      );
      const here = k.keys.filter((x) => project in x.roles);
      fill(
        keys,
        here.length === 0
          ? h('p', { class: 'empty' }, 'No keys with a role here.')
          : h(
              'table',
              { class: 'list', id: 'keys' },
              h('thead', {}, h('tr', {}, ...['Name', 'Principal', 'Roles', 'State', ''].map((t) => h('th', {}, t)))),
              h('tbody', {}, ...here.map((x) => keyRow(x, problem, reload))),
            ),
      );
    } catch (err) {
      // A member who is not an owner: the API's 403, said plainly.
      fill(
        members,
        h(
          'p',
          { class: 'problem', role: 'alert' },
          err instanceof ApiProblem && err.status === 403 ? `Only owners of ${project} manage its team.` : problemText(err),
        ),
      );
    }
  }
  await load();
}

void main();
