/**
 * The project switcher in every page's header: the projects the reader
 * belongs to (every one for an administrator), the current one selected.
 * Choosing another keeps it (localStorage) and reloads the page, whose calls
 * then carry it in the Braid-Project header.
 */
import { api, currentProject, PROJECT_KEY } from './api';
import { fill, h } from './dom';

/** Fills the switcher; resolves to the project the page works in. */
export async function mountProjectSwitcher(): Promise<string> {
  const select = document.getElementById('project-switcher') as HTMLSelectElement | null;
  let projects: { name: string; role: string | null }[];
  try {
    ({ projects } = await api<{ projects: { name: string; role: string | null }[] }>('/v1/projects'));
  } catch {
    if (select) select.hidden = true;
    return currentProject() ?? 'default';
  }
  const chosen = currentProject();
  // A project the reader has left: back to the API's default.
  if (chosen !== undefined && !projects.some((p) => p.name === chosen)) {
    localStorage.removeItem(PROJECT_KEY);
    location.reload();
    return 'default';
  }
  const current = chosen ?? (projects.length === 1 ? projects[0]!.name : 'default');
  if (!select) return current;
  fill(select, ...projects.map((p) => h('option', { value: p.name, selected: p.name === current }, p.role ? `${p.name} (${p.role})` : p.name)));
  select.hidden = false;
  select.addEventListener('change', () => {
    localStorage.setItem(PROJECT_KEY, select.value);
    location.reload();
  });
  return current;
}
