/**
 * Who may do what (src/auth/roles.ts): after authentication, each request
 * gets its project (the one its path names: `/v1/projects/:project/…`, or a
 * run's or operation's id, `acme~…`; else the `Braid-Project` header, else
 * `?project=`, else the caller's only project, else `default`) and is checked against the
 * permission its route declares, before anything is looked up. A principal
 * with no role in the project gets 404, as for a project that does not
 * exist (existence is not revealed); one whose role lacks the permission
 * gets 403, whether or not the thing asked for exists.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Role } from '../auth/roles';
import { DEFAULT_PROJECT, roleAllows, routePermission } from '../auth/roles';
import { BraidError } from '../runs/errors';
import type { KeyStore } from '../store/keys';
import type { ProjectStore } from '../store/projects';
import { projectOfId } from '../graph/project-ids';
import type { AppEnv } from './types';

export const PROJECT_HEADER = 'braid-project';

/** The request's project, as authorize() chose it (`default` for routes outside projects, and without an API token). */
export function requestProject(c: Context<AppEnv>): string {
  return c.get('project') ?? DEFAULT_PROJECT;
}

/** The route that will answer (Hono matched it before the middleware ran): method and path. */
export function answeringRoute(c: Context<AppEnv>): string | undefined {
  const route = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .at(-1);
  return route ? `${route.method} ${route.path}` : undefined;
}

/** A segment of the request's path by its name in the route (middleware sees no route params of its own). */
function pathSegment(c: Context<AppEnv>, route: string, name: string): string | undefined {
  const pattern = route.slice(route.indexOf(' ') + 1).split('/');
  const at = pattern.indexOf(name);
  if (at < 0) return undefined;
  const segment = c.req.path.split('/')[at];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The project a route's path names: its `:project`, or the prefix of the run or operation id it is about. */
function projectInPath(c: Context<AppEnv>, route: string): string | undefined {
  const project = pathSegment(c, route, ':project');
  if (project !== undefined) return project;
  const id = pathSegment(c, route, ':runId') ?? pathSegment(c, route, ':operationId');
  return id === undefined ? undefined : projectOfId(id);
}

function requestedProject(c: Context<AppEnv>, route: string, roles: Record<string, Role>): string {
  // A route about a project, a run or an operation names it in its path; the others in a header or the query.
  const named = projectInPath(c, route) ?? c.req.header(PROJECT_HEADER) ?? c.req.query('project');
  if (named !== undefined) return named;
  const mine = Object.keys(roles);
  return mine.length === 1 ? mine[0]! : DEFAULT_PROJECT;
}

/** The principal's role in each project: a key's came with it (middleware.ts), anyone else's are read. */
export async function requestRoles(c: Context<AppEnv>, keys: Pick<KeyStore, 'rolesOf'>, principal: string): Promise<Record<string, Role>> {
  return c.get('roles') ?? (await keys.rolesOf(principal));
}

export function authorize(keys: KeyStore, projects: Pick<ProjectStore, 'exists'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    // No API token configured (tests): nothing to check against.
    if (principal === undefined) return next();
    const route = answeringRoute(c);
    // An unknown route answers 404 as before.
    if (route === undefined) return next();
    const permission = routePermission(route);
    const admin = c.get('admin') === true;
    const roles = admin ? {} : await requestRoles(c, keys, principal);
    const project = requestedProject(c, route, roles);
    const role = roles[project];
    if (role === undefined) {
      // Not a member: 404 whether or not the project exists, unless the caller is an administrator or the route is any principal's.
      const notFound = new BraidError('notFound', `no project "${project}"`);
      if (!admin && permission !== 'authenticated') throw notFound;
      // `default` always exists (migration 0011 makes it): no read for it.
      if (project !== DEFAULT_PROJECT && !(await projects.exists(project))) throw notFound;
    }
    c.set('project', project);
    if (admin || permission === 'authenticated' || role === undefined) return next();
    if (!roleAllows(role, permission)) {
      throw new BraidError('forbidden', `${principal} is ${role === 'owner' ? 'an' : 'a'} ${role} in "${project}"; this needs the ${permission} permission`);
    }
    return next();
  };
}
