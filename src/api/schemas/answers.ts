/**
 * Answers to waiting nodes, bulk operations and the node-type catalog.
 */
import { BULK_ACTIONS } from '../../graph/run-state';
import { z } from '@hono/zod-openapi';
import { eventNameSchema, nodeIdSchema } from '../../graph/schema';
import { runIdParamSchema, runLinksSchema, runStatusSchema } from './runs';

export const nodeParamSchema = runIdParamSchema.extend({ nodeId: nodeIdSchema.openapi({ param: { name: 'nodeId', in: 'path' } }) });
export const eventParamSchema = runIdParamSchema.extend({ event: eventNameSchema.openapi({ param: { name: 'event', in: 'path' } }) });

export const decisionBodySchema = z
  .object({
    approved: z.boolean(),
    comment: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('Decision', { description: "Who decided is the request's principal (the node's output says `by`); a `by` in the body is refused." });

export const eventAcceptedSchema = z
  .object({ runId: z.string(), event: z.string(), status: z.literal('delivered'), links: runLinksSchema })
  .openapi('EventAccepted');

const isoTimeSchema = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-05T10:00:00Z' });

export const bulkBodySchema = z
  .object({
    action: z.enum(BULK_ACTIONS),
    filter: z
      .object({
        workflow: z.string().min(1).max(200).optional(),
        version: z.string().min(1).max(64).optional(),
        status: runStatusSchema.optional().openapi({ description: 'Default: `failed` for a redrive, `running` for a cancel' }),
        startedAfter: isoTimeSchema.optional(),
        startedBefore: isoTimeSchema.optional(),
      })
      .strict()
      .default({}),
    limit: z.number().int().min(1).max(1000).optional().openapi({ description: 'At most this many runs, newest first (default and most: 1000)' }),
  })
  .strict()
  .openapi('BulkOperation');

export const bulkAcceptedSchema = z
  .object({ operationId: z.string(), action: z.enum(BULK_ACTIONS), matched: z.number().int(), links: z.object({ self: z.string() }) })
  .openapi('BulkAccepted');

export const operationSchema = z
  .object({
    operationId: z.string(),
    action: z.enum(BULK_ACTIONS),
    status: runStatusSchema,
    total: z.number().int(),
    done: z.number().int().openapi({ description: 'Runs handled so far, failed ones included' }),
    failed: z.number().int(),
    runIds: z.array(z.string()).openapi({ description: "The runs it made (a redrive's new runs) or canceled" }),
    failures: z.array(z.object({ runId: z.string(), message: z.string() })),
  })
  .openapi('Operation');

export const operationIdParamSchema = z.object({
  operationId: z
    .string()
    .regex(/^(?:[a-z][a-z0-9-]{0,29}~)?bulk-[a-z]+-[0-9a-f-]{36}$/, 'is not an operation id')
    .openapi({ param: { name: 'operationId', in: 'path' } }),
});

export const nodeTypeListSchema = z
  .object({
    nodeTypes: z.array(
      z
        .object({
          type: z.string(),
          label: z.string(),
          description: z.string(),
          category: z.enum(['trigger', 'action', 'logic', 'wait', 'compose']),
          custom: z.boolean().openapi({ description: 'From BRAID_NODE_TYPES' }),
          dataSchema: z
            .record(z.string(), z.unknown())
            .openapi({ description: "JSON Schema of the node's `data`, generated from the zod schema that validates it" }),
          handles: z
            .array(z.string().nullable())
            .openapi({ description: 'Out-edge handles (`null`: a plain edge); any node may also have an `error` edge with `onError: "branch"`' }),
          handlesFromData: z.string().optional().openapi({ description: 'Where more handles come from (a switch: `data.cases[].handle`)' }),
          activity: z.boolean(),
          local: z.boolean(),
          cacheable: z.boolean(),
          sourceCode: z
            .object({ field: z.string(), languageField: z.string() })
            .optional()
            .openapi({ description: 'Its data holds source code (a `code` node): the field, and the field that names its language' }),
        })
        .openapi('NodeType'),
    ),
  })
  .openapi('NodeTypeList');
