/** /v1/credentials: the request's project's credentials; their secret fields go in and never come back out. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DEFAULT_PROJECT } from '../../auth/roles';
import type { CredentialType } from '../../credentials/types';
import { allowedHostSchema, CREDENTIAL_DATA, CREDENTIAL_TYPES, credentialNameSchema } from '../../credentials/types';
import { BraidError } from '../../runs/errors';
import { validationError } from '../../runs/validation';
import type { CredentialStore } from '../../store/credentials';
import { problemResponse, BEARER_SECURITY, jsonResponse } from '../schemas';
import type { AppEnv } from '../types';
import { createRouter, zodFieldErrors } from '../validation';

const security = BEARER_SECURITY;
const hostsSchema = z.array(allowedHostSchema).min(1, 'needs at least one host').max(50);

export const newCredentialSchema = z
  .object({
    name: credentialNameSchema,
    type: z.enum(CREDENTIAL_TYPES),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'The secret fields of the type (never answered back)' }),
    allowedHosts: hostsSchema.openapi({ description: 'Where it may be sent: "api.stripe.com", or with a port, "127.0.0.1:4000"' }),
  })
  .strict()
  .openapi('NewCredential');

export const rotateCredentialSchema = z
  .object({ data: z.record(z.string(), z.unknown()), allowedHosts: hostsSchema.optional() })
  .strict()
  .openapi('RotateCredential');

export const credentialViewSchema = z
  .object({
    name: z.string(),
    type: z.enum(CREDENTIAL_TYPES),
    allowedHosts: z.array(z.string()),
    createdAt: z.string(),
    rotatedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('Credential');

// A name of any other shape is simply not found (404); built here, not from credentialNameSchema, which may predate zod's OpenAPI methods.
const nameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'name', in: 'path' } }),
});
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const routes = {
  create: createRoute({
    method: 'post',
    path: '/',
    summary: 'Store a credential in the project',
    security,
    request: body(newCredentialSchema),
    responses: {
      201: jsonResponse('Stored', credentialViewSchema),
      409: problemResponse('The project has a credential of that name'),
      422: problemResponse('Invalid'),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/',
    summary: "The project's credentials (never their values)",
    security,
    responses: { 200: jsonResponse('Credentials', z.object({ credentials: z.array(credentialViewSchema) })) },
  }),
  get: createRoute({
    method: 'get',
    path: '/{name}',
    summary: 'A credential (never its values)',
    security,
    request: { params: nameParam },
    responses: { 200: jsonResponse('The credential', credentialViewSchema), 404: problemResponse('None') },
  }),
  rotate: createRoute({
    method: 'put',
    path: '/{name}',
    summary: 'Rotate a credential: new values (and hosts); the next attempt of any node uses them',
    security,
    request: { params: nameParam, ...body(rotateCredentialSchema) },
    responses: { 200: jsonResponse('Rotated', credentialViewSchema), 404: problemResponse('None'), 422: problemResponse('Invalid') },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/{name}',
    summary: 'Delete a credential',
    security,
    request: { params: nameParam },
    responses: { 204: { description: 'Deleted' }, 404: problemResponse('None') },
  }),
};

/** The type's data, checked by its schema (errors under `$.data`). */
function checkedData(type: CredentialType, data: unknown) {
  const parsed = CREDENTIAL_DATA[type].safeParse(data);
  if (!parsed.success) throw validationError(zodFieldErrors(parsed.error, ['data']));
  return parsed.data;
}

const projectOf = (c: Context<AppEnv>) => c.get('project') ?? DEFAULT_PROJECT;
const missing = (name: string) => new BraidError('notFound', `no credential "${name}"`);

export function credentialsRoutes(store: CredentialStore) {
  return createRouter()
    .openapi(routes.create, async (c) => {
      const req = c.req.valid('json');
      const made = await store.create(projectOf(c), {
        name: req.name,
        type: req.type,
        data: checkedData(req.type, req.data),
        allowedHosts: req.allowedHosts,
      } as never);
      if (!made) throw new BraidError('conflict', `credential "${req.name}" exists; rotate it with PUT`);
      return c.json(made, 201, { location: `/v1/credentials/${made.name}` });
    })
    .openapi(routes.list, async (c) => c.json({ credentials: await store.list(projectOf(c)) }, 200))
    .openapi(routes.get, async (c) => {
      const { name } = c.req.valid('param');
      const found = await store.get(projectOf(c), name);
      if (!found) throw missing(name);
      return c.json(found, 200);
    })
    .openapi(routes.rotate, async (c) => {
      const { name } = c.req.valid('param');
      const found = await store.get(projectOf(c), name);
      if (!found) throw missing(name);
      const req = c.req.valid('json');
      const rotated = await store.rotate(projectOf(c), name, {
        data: checkedData(found.type, req.data),
        ...(req.allowedHosts ? { allowedHosts: req.allowedHosts } : {}),
      });
      if (!rotated) throw missing(name);
      return c.json(rotated, 200);
    })
    .openapi(routes.remove, async (c) => {
      const { name } = c.req.valid('param');
      if (!(await store.remove(projectOf(c), name))) throw missing(name);
      return c.body(null, 204);
    });
}
