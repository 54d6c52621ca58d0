/**
 * /v1/projects: the projects the caller belongs to, and their members. Only
 * `default` exists until projects can be made (issue 36); a member is any
 * principal (`key:<id>`, `oidc:<subject>`) with one role.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DEFAULT_PROJECT, ROLES } from '../../auth/roles';
import { BraidError } from '../../runs/errors';
import type { KeyStore } from '../../store/keys';
import { problemResponse, BEARER_SECURITY, jsonResponse } from '../schemas';
import { createRouter } from '../validation';

const security = BEARER_SECURITY;
const memberParams = z.object({
  project: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'project', in: 'path' } }),
  principal: z
    .string()
    .regex(/^(key|oidc):[^\s/]{1,200}$/, 'must be a principal such as oidc:<subject> or key:<id>')
    .openapi({ param: { name: 'principal', in: 'path' } }),
});
const memberSchema = z.object({ project: z.string(), principal: z.string(), role: z.enum(ROLES) }).openapi('Member');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/',
    summary: 'The projects the caller belongs to, with its role in each (every project for an administrator)',
    security,
    responses: {
      200: jsonResponse('Projects', z.object({ projects: z.array(z.object({ name: z.string(), role: z.enum(ROLES).nullable() })) }).openapi('ProjectList')),
    },
  }),
  putMember: createRoute({
    method: 'put',
    path: '/{project}/members/{principal}',
    summary: "Give a principal a role in the project (or change it): the project's owners and administrators",
    security,
    request: { params: memberParams, body: { required: true, content: { 'application/json': { schema: z.object({ role: z.enum(ROLES) }).strict() } } } },
    responses: {
      201: jsonResponse('Added', memberSchema),
      200: jsonResponse('Role changed', memberSchema),
      404: problemResponse('No such project'),
      422: problemResponse('Invalid'),
    },
  }),
  removeMember: createRoute({
    method: 'delete',
    path: '/{project}/members/{principal}',
    summary: 'Take a principal out of the project',
    security,
    request: { params: memberParams },
    responses: { 204: { description: 'Removed' }, 404: problemResponse('No such project or member') },
  }),
};

export function projectsRoutes(keys: KeyStore) {
  return createRouter()
    .openapi(routes.list, async (c) => {
      const roles = await keys.rolesOf(c.get('principal') ?? 'anonymous');
      const names = c.get('admin') === false ? Object.keys(roles) : [DEFAULT_PROJECT];
      return c.json({ projects: names.map((name) => ({ name, role: roles[name] ?? null })) }, 200);
    })
    .openapi(routes.putMember, async (c) => {
      const { project, principal } = c.req.valid('param');
      const { role } = c.req.valid('json');
      const created = await keys.setRole(project, principal, role);
      return c.json({ project, principal, role }, created ? 201 : 200);
    })
    .openapi(routes.removeMember, async (c) => {
      const { project, principal } = c.req.valid('param');
      if (!(await keys.removeRole(project, principal))) throw new BraidError('notFound', `${principal} is not a member of "${project}"`);
      return c.body(null, 204);
    });
}
