/**
 * /v1/projects: projects (made by administrators), the ones the caller
 * belongs to, and their members. A member is any principal (`key:<id>`,
 * `oidc:<subject>`) with one role.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../auth/roles';
import { PROJECT_NAME_PATTERN } from '../../graph/project-ids';
import type { ProjectStore } from '../../store/projects';
import { BraidError } from '../../runs/errors';
import type { KeyStore } from '../../store/keys';
import { problemResponse, BEARER_SECURITY, jsonResponse } from '../schemas';
import { createRouter } from '../validation';

const security = BEARER_SECURITY;
const projectName = z.string().regex(PROJECT_NAME_PATTERN, 'must start with a lower-case letter and hold only lower-case letters, digits and "-" (at most 30)');
const memberParams = z.object({
  project: projectName.openapi({ param: { name: 'project', in: 'path' } }),
  principal: z
    .string()
    .regex(/^(key|oidc):[^\s/]{1,200}$/, 'must be a principal such as oidc:<subject> or key:<id>')
    .openapi({ param: { name: 'principal', in: 'path' } }),
});
const memberSchema = z.object({ project: z.string(), principal: z.string(), role: z.enum(ROLES) }).openapi('Member');

const projectSchema = z.object({ name: z.string(), createdBy: z.string(), createdAt: z.string() }).openapi('Project');

const routes = {
  create: createRoute({
    method: 'post',
    path: '/',
    summary: 'Make a project (administrators); its name is its id in paths, the Braid-Project header and run ids',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: z.object({ name: projectName }).strict() } } } },
    responses: {
      201: jsonResponse('Made', projectSchema),
      409: problemResponse('A project of this name exists'),
      422: problemResponse('Invalid'),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/',
    summary: 'The projects the caller belongs to, with its role in each (every project for an administrator)',
    security,
    responses: {
      200: jsonResponse('Projects', z.object({ projects: z.array(z.object({ name: z.string(), role: z.enum(ROLES).nullable() })) }).openapi('ProjectList')),
    },
  }),
  members: createRoute({
    method: 'get',
    path: '/{project}/members',
    summary: "The project's members (people and keys) and their roles: its owners and administrators",
    security,
    request: { params: z.object({ project: projectName.openapi({ param: { name: 'project', in: 'path' } }) }) },
    responses: { 200: jsonResponse('Members', z.object({ members: z.array(memberSchema) }).openapi('MemberList')), 404: problemResponse('No such project') },
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

export function projectsRoutes(keys: KeyStore, projects: ProjectStore) {
  return createRouter()
    .openapi(routes.create, async (c) => {
      const { name } = c.req.valid('json');
      const by = c.get('principal') ?? 'anonymous';
      if (!(await projects.create(name, by))) throw new BraidError('conflict', `a project "${name}" exists`);
      const made = (await projects.list()).find((p) => p.name === name)!;
      return c.json(made, 201, { location: `/v1/projects/${name}` });
    })
    .openapi(routes.list, async (c) => {
      const roles = await keys.rolesOf(c.get('principal') ?? 'anonymous');
      // An administrator sees every project (with the role it holds, if any); anyone else the ones it belongs to. Without an API token, every one.
      const names = c.get('admin') === false ? Object.keys(roles).sort() : (await projects.list()).map((p) => p.name);
      return c.json({ projects: names.map((name) => ({ name, role: roles[name] ?? null })) }, 200);
    })
    .openapi(routes.members, async (c) => {
      const { project } = c.req.valid('param');
      return c.json({ members: (await keys.membersOf(project)).map((m) => ({ project, ...m })) }, 200);
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
