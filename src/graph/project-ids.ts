/**
 * Projects in ids. Every project shares one Temporal namespace, so the ids
 * Braid gives Temporal (runs, their children, bulk operations, schedules)
 * carry their project: `acme~orders-42` is run `orders-42` of project
 * `acme`. The `default` project's ids have no prefix, as before projects
 * existed. A client-chosen id may not contain `~`, so no id of one project
 * can be another's, and a run's project is read from its id before
 * anything is looked up. Pure, no imports: the workflow sandbox reads it.
 */

/** A project's name: lower-case letters, digits and dashes, starting with a letter, at most 30 characters. */
export const PROJECT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,29}$/;

/** The project every existing thing belongs to. */
export const DEFAULT_PROJECT = 'default';

/** Between a project's name and the rest of an id. Not allowed in client-chosen ids. */
export const PROJECT_SEPARATOR = '~';

/** `id` in `project`: unchanged in `default` or when it already names the project, else prefixed. */
export function idInProject(project: string, id: string): string {
  if (project === DEFAULT_PROJECT) return id;
  const prefix = project + PROJECT_SEPARATOR;
  return id.startsWith(prefix) ? id : prefix + id;
}

/** The project an id belongs to: its prefix when it has one, else `default`. */
export function projectOfId(id: string): string {
  const at = id.indexOf(PROJECT_SEPARATOR);
  if (at < 0) return DEFAULT_PROJECT;
  return id.slice(0, at);
}

/** Splits an id into its project prefix (with the separator; empty in `default`) and the rest. */
export function splitProjectId(id: string): { prefix: string; rest: string } {
  const at = id.indexOf(PROJECT_SEPARATOR) + 1;
  return { prefix: id.slice(0, at), rest: id.slice(at) };
}

/** A name as lower-case letters, digits and dashes, at most 40 characters (run ids made from it). */
export function nameSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run'
  );
}
