/** /v1/workflows/validate: check a definition without running it. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { validateDefinition } from '../../graph/validate';
import { problemSchema, validateOkSchema, workflowDefinitionSchema } from '../schemas';
import type { AppEnv } from '../types';
import { issueFieldErrors, validationError, validationHook } from '../validation';

const validateRoute = createRoute({
  method: 'post',
  path: '/validate',
  summary: 'Validate a definition',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: workflowDefinitionSchema } } } },
  responses: {
    200: { description: 'The definition is valid', content: { 'application/json': { schema: validateOkSchema } } },
    422: { description: 'Every problem found', content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

export function workflowsRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(validateRoute, async (c) => {
    const result = validateDefinition(c.req.valid('json'));
    if (!result.ok) throw validationError(issueFieldErrors(result.issues));
    return c.json({ valid: true as const, stats: result.stats }, 200);
  });
  return app;
}
