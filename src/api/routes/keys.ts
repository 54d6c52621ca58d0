/** /v1/keys and /v1/whoami: API keys with a role per project, and who the caller is. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Role } from '../../auth/roles';
import { ROLES } from '../../auth/roles';
import type { ProjectStore } from '../../store/projects';
import { BraidError } from '../../runs/errors';
import { validationError } from '../../runs/validation';
import type { KeyStore, KeyView } from '../../store/keys';
import { problemResponse, BEARER_SECURITY, jsonResponse } from '../schemas';
import type { AppEnv } from '../types';
import { createRouter } from '../validation';

const security = BEARER_SECURITY;
const roleSchema = z.enum(ROLES);
const rolesSchema = z.record(z.string().min(1).max(100), roleSchema);

export const newKeySchema = z
  .object({
    name: z.string().min(1).max(100),
    roles: rolesSchema.openapi({ description: 'A role per project: owner, editor, operator or viewer' }),
    expiresAt: z.string().datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
  })
  .strict()
  .openapi('NewKey');

export const keyViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    principal: z.string(),
    roles: rolesSchema,
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Key');

export const keyCreatedSchema = keyViewSchema
  .extend({ key: z.string().openapi({ description: 'The key itself: shown in this answer only' }) })
  .openapi('KeyCreated');
export const whoamiSchema = z.object({ principal: z.string(), admin: z.boolean(), roles: rolesSchema }).openapi('Whoami');

const createKeyRoute = createRoute({
  method: 'post',
  path: '/keys',
  summary: 'Make an API key',
  description: 'The key is in this answer only; Braid keeps its hash. The caller must own every project the key gets a role in (or administer Braid).',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: newKeySchema } } } },
  responses: {
    201: jsonResponse('The key', keyCreatedSchema),
    403: problemResponse('The caller does not own a project named'),
    422: problemResponse('Invalid body'),
  },
});
const listKeysRoute = createRoute({
  method: 'get',
  path: '/keys',
  summary: 'The API keys of the projects the caller owns (every key for an administrator)',
  security,
  responses: { 200: jsonResponse('Keys, newest first', z.object({ keys: z.array(keyViewSchema) }).openapi('KeyList')) },
});
const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/keys/{id}',
  summary: 'Revoke an API key',
  security,
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 204: { description: 'Revoked' }, 404: problemResponse('No such key among those the caller manages') },
});
const whoamiRoute = createRoute({
  method: 'get',
  path: '/whoami',
  summary: 'Who the caller is: principal, whether an administrator, and a role per project',
  security,
  responses: { 200: jsonResponse('The caller', whoamiSchema) },
});

/** The projects `c`'s principal owns, or every project for an administrator (`undefined`). */
async function owned(c: Context<AppEnv>, keys: KeyStore): Promise<Set<string> | undefined> {
  if (c.get('admin') !== false) return undefined;
  const roles = await keys.rolesOf(c.get('principal')!);
  return new Set(Object.entries(roles).flatMap(([p, r]) => (r === 'owner' ? [p] : [])));
}

const manages = (projects: Set<string> | undefined, key: Pick<KeyView, 'roles'>) =>
  projects === undefined || (Object.keys(key.roles).length > 0 && Object.keys(key.roles).every((p) => projects.has(p)));

export function keysRoutes(keys: KeyStore, projects: Pick<ProjectStore, 'exists'>) {
  return createRouter()
    .openapi(createKeyRoute, async (c) => {
      const body = c.req.valid('json');
      if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= Date.now())
        throw validationError([{ path: '$.expiresAt', message: 'must be in the future' }]);
      // Refused before asking what exists: an owner learns nothing of projects it does not own.
      if (!manages(await owned(c, keys), body)) throw new BraidError('forbidden', 'a key gets roles only in projects its maker owns');
      const unknown = (await Promise.all(Object.keys(body.roles).map(async (p) => ((await projects.exists(p)) ? [] : [p])))).flat();
      if (unknown.length) throw validationError(unknown.map((p) => ({ path: `$.roles.${p}`, message: `no project "${p}"` })));
      const made = await keys.create({
        name: body.name,
        roles: body.roles as Record<string, Role>,
        createdBy: c.get('principal') ?? 'anonymous',
        ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}),
      });
      return c.json({ ...made.view, key: made.key }, 201, { location: `/v1/keys/${made.id}` });
    })
    .openapi(listKeysRoute, async (c) => {
      const projects = await owned(c, keys);
      return c.json({ keys: (await keys.list()).filter((k) => manages(projects, k)) }, 200);
    })
    .openapi(revokeKeyRoute, async (c) => {
      const { id } = c.req.valid('param');
      const key = await keys.get(id);
      if (!key || !manages(await owned(c, keys), key)) throw new BraidError('notFound', `no key "${id}"`);
      await keys.revoke(id);
      return c.body(null, 204);
    })
    .openapi(whoamiRoute, async (c) => {
      const principal = c.get('principal') ?? 'anonymous';
      return c.json({ principal, admin: c.get('admin') !== false, roles: await keys.rolesOf(principal) }, 200);
    });
}
