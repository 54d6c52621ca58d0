/** Bulk operations: POST /v1/runs/bulk starts one, GET /v1/operations/:id follows it. */
import { createRoute } from '@hono/zod-openapi';
import type { BulkOperations } from '../../runs/bulk';
import { bulkAcceptedSchema, bulkBodySchema, operationIdParamSchema, operationSchema, problemResponse, BEARER_SECURITY } from '../schemas';
import { createRouter, parseJsonBody, zodFieldErrors } from '../validation';
import { requestProject } from '../authorize';
import { validationError } from '../../runs/validation';

const security = BEARER_SECURITY;

export const bulkRoute = createRoute({
  method: 'post',
  path: '/bulk',
  summary: 'Redrive or cancel every run a filter matches',
  description:
    'Lists the matching runs (newest first, at most `limit`, 1000 at most) and starts a workflow that works through them, five at a time and at most ten a second; it survives restarts. ' +
    'Without `filter.status`, a redrive takes failed runs and a cancel running ones. Test runs are left out.',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: bulkBodySchema } } } },
  responses: {
    202: { description: 'The operation started', content: { 'application/json': { schema: bulkAcceptedSchema } } },
    422: problemResponse('Bad body'),
    503: problemResponse('Temporal unavailable'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{operationId}',
  summary: "A bulk operation's progress",
  security,
  request: { params: operationIdParamSchema },
  responses: {
    200: { description: 'Progress: total, done, failed, and the runs it made or canceled', content: { 'application/json': { schema: operationSchema } } },
    404: problemResponse('No such operation'),
    503: problemResponse('Temporal unavailable'),
  },
});

/** POST /bulk, mounted under /v1/runs. */
export function bulkRoutes(bulk: BulkOperations) {
  const app = createRouter();
  app.openapi(bulkRoute, async (c) => {
    const parsed = bulkBodySchema.safeParse(parseJsonBody(await c.req.text()));
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    const { action, filter, limit } = parsed.data;
    return c.json(await bulk.start(action, filter, limit, requestProject(c)), 202);
  });
  return app;
}

/** GET /:operationId, mounted under /v1/operations. */
export function operationsRoutes(bulk: BulkOperations) {
  const app = createRouter();
  app.openapi(getRoute, async (c) => c.json(await bulk.get(c.req.valid('param').operationId), 200));
  return app;
}
