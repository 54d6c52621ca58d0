/** GET /v1/audit: the audit log, newest first, filtered and a page at a time. */
import { createRoute, z } from '@hono/zod-openapi';
import { AUDIT_ACTIONS } from '../../audit/chain';
import { validationError } from '../../runs/validation';
import type { AuditLog } from '../../store/audit-log';
import { BadAuditCursor } from '../../store/audit-log';
import { problemResponse } from '../schemas';
import { createRouter } from '../validation';

const isoTime = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-12-06T10:00:00Z' });

export const auditQuerySchema = z
  .object({
    project: z.string().min(1).max(100).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    principal: z.string().min(1).max(255).optional(),
    after: isoTime.optional().openapi({ description: 'Entries at or after this time' }),
    before: isoTime.optional().openapi({ description: 'Entries before this time' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(100).optional().openapi({ description: "A previous page's nextCursor" }),
  })
  .strict();

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    principal: z.string(),
    project: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    target: z.string(),
    requestId: z.string().nullable(),
    hash: z.string(),
    prevHash: z.string().nullable(),
  })
  .openapi('AuditEntry');

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() }).openapi('AuditPage');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'The audit log',
  description: 'Every change and decision made through the API, newest first, each chained to the one before by hash (`braid audit verify` checks the chain).',
  security: [{ bearerAuth: [] }],
  request: { query: auditQuerySchema },
  responses: {
    200: { description: 'A page of entries', content: { 'application/json': { schema: auditPageSchema } } },
    422: problemResponse('A filter or the cursor is not valid'),
  },
});

export function auditRoutes(log: AuditLog) {
  return createRouter().openapi(listRoute, async (c) => {
    try {
      return c.json(await log.list(c.req.valid('query')), 200);
    } catch (err) {
      if (err instanceof BadAuditCursor) throw validationError([{ path: '$.query.cursor', message: err.message }]);
      throw err;
    }
  });
}
