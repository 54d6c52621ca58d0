/** GET /v1/node-types: the node types an editor can offer (node-type-catalog.ts). */
import type { z } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import type { NodeTypeView } from '../node-type-catalog';
import { nodeTypeListSchema } from '../schemas';
import { createRouter } from '../validation';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'List the node types the API knows',
  description:
    'Built-in and custom (BRAID_NODE_TYPES) types, each with a label, description, category, the JSON Schema of its `data` and its out-edge handles: what an editor builds its palette and forms from.',
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'Every node type', content: { 'application/json': { schema: nodeTypeListSchema } } } },
});

export function nodeTypesRoutes(catalog: NodeTypeView[]) {
  const app = createRouter();
  // Built once at start; the schemas' JSON is plain data.
  const body = { nodeTypes: catalog } as z.infer<typeof nodeTypeListSchema>;
  app.openapi(listRoute, (c) => c.json(body, 200));
  return app;
}
