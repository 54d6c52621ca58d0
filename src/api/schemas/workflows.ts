/**
 * Saved workflows, webhooks and schedules.
 */
import { z } from '@hono/zod-openapi';
import { nodeIdSchema, SCHEDULE_OVERLAP } from '../../graph/schema';
import { pinsSchema, runIdSchema, runLinksSchema, runStatusSchema, triggerKindSchema } from './runs';

export const WORKFLOW_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Names that would collide with a route under /v1/workflows. */
export const RESERVED_WORKFLOW_NAMES: ReadonlySet<string> = new Set(['validate']);

export const workflowNameSchema = z
  .string()
  .regex(WORKFLOW_NAME_PATTERN, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (at most 100)')
  .refine((n) => !RESERVED_WORKFLOW_NAMES.has(n), 'is reserved')
  .openapi({ example: 'orders' });

export const VERSION_PATTERN = /^[0-9a-f]{16}$/;
export const versionSchema = z
  .string()
  .regex(VERSION_PATTERN, 'must be a version: 16 lower-case hex digits')
  .openapi({ example: '3f9c2a7e01b4d5c6', description: 'Content hash of the canonical definition' });

export const workflowNameParamSchema = z.object({ name: workflowNameSchema.openapi({ param: { name: 'name', in: 'path' } }) });
export const workflowVersionParamSchema = workflowNameParamSchema.extend({
  version: versionSchema.openapi({ param: { name: 'version', in: 'path' } }),
});
export const triggerParamSchema = workflowNameParamSchema.extend({
  triggerId: nodeIdSchema.openapi({ param: { name: 'triggerId', in: 'path' } }),
});

export const workflowLinksSchema = z.object({ self: z.string(), version: z.string(), runs: z.string() }).openapi('WorkflowLinks');

export const savedVersionSchema = z
  .object({
    name: z.string(),
    version: versionSchema,
    created: z.boolean().openapi({ description: 'False when this content was saved before' }),
    latest: z.literal(true),
    links: workflowLinksSchema,
  })
  .openapi('SavedVersion');

export const workflowSummarySchema = z
  .object({
    name: z.string(),
    latestVersion: versionSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    triggerKinds: z.array(triggerKindSchema),
  })
  .openapi('WorkflowSummary');

export const workflowListSchema = z.object({ workflows: z.array(workflowSummarySchema), nextCursor: z.string().nullable() }).openapi('WorkflowList');

export const listWorkflowsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z
    .string()
    .max(400)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be a cursor from an earlier page')
    .optional(),
});

export const workflowVersionSummarySchema = z
  .object({ version: versionSchema, createdAt: z.string(), latest: z.boolean(), triggerKinds: z.array(triggerKindSchema) })
  .openapi('WorkflowVersionSummary');

export const workflowDetailSchema = workflowSummarySchema
  .extend({
    definition: z.unknown().openapi({ description: 'The latest version, as saved' }),
    versions: z.array(workflowVersionSummarySchema).openapi({ description: 'Newest first' }),
  })
  .openapi('Workflow');

export const startSavedRunBodySchema = z
  .object({
    input: z.unknown().optional().openapi({ description: 'Any JSON; the output of every trigger node.' }),
    trigger: nodeIdSchema.optional().openapi({ description: 'Fire only this trigger node.' }),
    runId: runIdSchema
      .optional()
      .openapi({ description: "Client-chosen id (idempotency key). In a project other than `default` the run's id is `<project>~<runId>`." }),
    version: versionSchema.optional().openapi({ description: 'Run this version instead of the latest.' }),
    priority: z.number().int().min(1).max(5).optional().openapi({
      description:
        "Temporal priority key of this run, its activities and children: 1 first … 5 last; overrides the definition's settings.priority (default 3).",
    }),
    pins: pinsSchema.optional(),
  })
  .strict()
  .openapi('StartSavedRun');

export const hookAcceptedSchema = z
  .object({
    runId: z.string(),
    status: runStatusSchema,
    workflow: z.object({ name: z.string(), version: versionSchema }),
    trigger: z.string(),
    duplicate: z.boolean().openapi({
      description:
        'True when an Idempotency-Key matched an earlier delivery (runId is that delivery\'s run), or when the workflow\'s concurrency limit refused a new run (`onLimit: "skip"`; runId is the run holding the key)',
    }),
    deliveries: z.number().int().optional().openapi({
      description: 'A debounced or batched trigger: the deliveries the run has gathered so far (it starts, status `queued` until then, when its window closes)',
    }),
    links: runLinksSchema,
  })
  .openapi('HookAccepted');

export const scheduleOverlapSchema = z.enum(SCHEDULE_OVERLAP).openapi('ScheduleOverlap');

export const scheduleSchema = z
  .object({
    scheduleId: z.string().openapi({ description: 'The Temporal Schedule id (Web UI, Schedules page)' }),
    triggerId: z.string(),
    spec: z.object({ cron: z.string().optional(), timezone: z.string().optional(), every: z.string().optional() }),
    overlap: scheduleOverlapSchema,
    version: z.string().nullable().openapi({ description: 'The saved version its runs start' }),
    paused: z.boolean(),
    note: z.string().nullable(),
    nextRunTimes: z.array(z.string()),
    recentRuns: z.array(z.object({ runId: z.string(), scheduledAt: z.string(), startedAt: z.string(), links: runLinksSchema })),
    links: z.object({ temporalUi: z.string() }),
  })
  .openapi('Schedule');

export const scheduleListSchema = z.object({ schedules: z.array(scheduleSchema) }).openapi('ScheduleList');

export const scheduleActionBodySchema = z
  .object({ note: z.string().max(500).optional().openapi({ description: 'Why (kept on the schedule, shown in the Web UI)' }) })
  .strict()
  .openapi('ScheduleAction');
