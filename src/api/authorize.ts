/**
 * Who may do what (src/auth/roles.ts): after authentication, each request
 * gets its project (the `Braid-Project` header, else `?project=`, else the
 * caller's only project, else `default`) and is checked against the
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
import type { AppEnv } from './types';

export const PROJECT_HEADER = 'braid-project';

/** The projects that exist: `default` until projects can be made (issue 36, item 1). */
const PROJECTS = new Set([DEFAULT_PROJECT]);

/** The route that will answer (Hono matched it before the middleware ran): method and path. */
export function answeringRoute(c: Context<AppEnv>): string | undefined {
  const route = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .at(-1);
  return route ? `${route.method} ${route.path}` : undefined;
}

/** The `:project` segment of the request's path, when its route has one (middleware sees no route params of its own). */
function projectInPath(c: Context<AppEnv>, route: string): string | undefined {
  const pattern = route.slice(route.indexOf(' ') + 1).split('/');
  const at = pattern.indexOf(':project');
  if (at < 0) return undefined;
  const segment = c.req.path.split('/')[at];
  return segment === undefined ? undefined : decodeURIComponent(segment);
}

function requestedProject(c: Context<AppEnv>, route: string, roles: Record<string, Role>): string {
  // A route about a project names it in its path; the others in a header or the query.
  const named = projectInPath(c, route) ?? c.req.header(PROJECT_HEADER) ?? c.req.query('project');
  if (named !== undefined) return named;
  const mine = Object.keys(roles);
  return mine.length === 1 ? mine[0]! : DEFAULT_PROJECT;
}

export function authorize(keys: KeyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    // No API token configured (tests): nothing to check against.
    if (principal === undefined) return next();
    const route = answeringRoute(c);
    // An unknown route answers 404 as before.
    if (route === undefined) return next();
    const permission = routePermission(route);
    const admin = c.get('admin') === true;
    const roles = admin ? {} : await keys.rolesOf(principal);
    const project = requestedProject(c, route, roles);
    if (!PROJECTS.has(project)) throw new BraidError('notFound', `no project "${project}"`);
    c.set('project', project);
    if (admin || permission === 'authenticated') return next();
    const role = roles[project];
    if (role === undefined) throw new BraidError('notFound', `no project "${project}"`);
    if (!roleAllows(role, permission)) {
      throw new BraidError('forbidden', `${principal} is ${role === 'owner' ? 'an' : 'a'} ${role} in "${project}"; this needs the ${permission} permission`);
    }
    return next();
  };
}
