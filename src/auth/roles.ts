/**
 * Roles and permissions, pure. A principal holds one role per project;
 * roles nest (a viewer reads; an operator also starts, cancels, redrives,
 * decides and sends events; an editor also saves and deletes workflows and
 * changes schedules; an owner also manages keys and reads the audit log), as
 * n8n's and Windmill's do. Administrators (the bootstrap token, and the
 * principals in BRAID_ADMINS) may do everything everywhere.
 *
 * Every route declares the permission it needs in ROUTE_PERMISSIONS; a route
 * missing from it is for administrators only. docs/security.md's table is
 * generated from it (`npm run docs`), and a test calls every operation with
 * every role and compares the answers with that table.
 */

export const ROLES = ['viewer', 'operator', 'editor', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs: a role's permission, any principal at all (`authenticated`), or an administrator. */
export const PERMISSIONS = ['authenticated', 'read', 'run', 'edit', 'manage', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The least role that holds each project permission. */
const LEAST_ROLE: Record<Exclude<Permission, 'authenticated' | 'admin'>, Role> = { read: 'viewer', run: 'operator', edit: 'editor', manage: 'owner' };

export function roleAllows(role: Role, permission: Permission): boolean {
  if (permission === 'authenticated') return true;
  if (permission === 'admin') return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(LEAST_ROLE[permission]);
}

/** The principal of the bootstrap token (API_TOKEN, or the one `npm start` made) and of its page sessions: an administrator. */
export const BOOTSTRAP_PRINCIPAL = 'api-token';

export { DEFAULT_PROJECT } from '../graph/project-ids';

/** The permission of each route, by method and Hono path; anything else is for administrators. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'GET /v1/whoami': 'authenticated',
  'GET /v1/node-types': 'read',
  'GET /v1/runs': 'read',
  'GET /v1/runs/:runId': 'read',
  'GET /v1/runs/:runId/definition': 'read',
  'GET /v1/runs/:runId/events': 'read',
  'GET /v1/operations/:operationId': 'read',
  'GET /v1/workflows': 'read',
  'GET /v1/workflows/:name': 'read',
  'GET /v1/workflows/:name/versions/:version': 'read',
  'GET /v1/workflows/:name/schedules': 'read',
  'POST /v1/workflows/validate': 'read',
  'POST /v1/runs': 'run',
  'POST /v1/runs/:runId/cancel': 'run',
  'POST /v1/runs/:runId/pause': 'run',
  'POST /v1/runs/:runId/resume': 'run',
  'POST /v1/runs/:runId/redrive': 'run',
  'POST /v1/runs/:runId/nodes/:nodeId/decision': 'run',
  'POST /v1/runs/:runId/events/:event': 'run',
  'POST /v1/runs/bulk': 'run',
  'POST /v1/workflows/:name/runs': 'run',
  'PUT /v1/workflows/:name': 'edit',
  'DELETE /v1/workflows/:name': 'edit',
  'POST /v1/workflows/:name/schedules/:triggerId/pause': 'edit',
  'POST /v1/workflows/:name/schedules/:triggerId/unpause': 'edit',
  'POST /v1/workflows/:name/schedules/:triggerId/trigger': 'edit',
  'POST /v1/keys': 'manage',
  'GET /v1/keys': 'manage',
  'DELETE /v1/keys/:id': 'manage',
  'GET /v1/audit': 'manage',
  'GET /v1/projects': 'authenticated',
  'POST /v1/projects': 'admin',
  'GET /v1/projects/:project/members': 'manage',
  'PUT /v1/projects/:project/members/:principal': 'manage',
  'DELETE /v1/projects/:project/members/:principal': 'manage',
  'GET /v1/credentials': 'read',
  'GET /v1/credentials/:name': 'read',
  'POST /v1/credentials': 'manage',
  'PUT /v1/credentials/:name': 'manage',
  'DELETE /v1/credentials/:name': 'manage',
};

export function routePermission(route: string): Permission {
  return ROUTE_PERMISSIONS[route] ?? 'admin';
}
