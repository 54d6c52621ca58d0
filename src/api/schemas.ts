/**
 * The API's request and response schemas. They validate requests, generate the
 * OpenAPI document, and tests parse responses with them.
 */
import { z } from '@hono/zod-openapi';
import { definitionSchema, eventNameSchema, nodeIdSchema, SCHEDULE_OVERLAP, TRIGGER_KINDS } from '../graph/schema';
import { NODE_STATUSES } from '../graph/scheduler';
import { RUN_STATUSES } from '../graph/run-state';
import { RUN_ID_PATTERN } from './run-id-pattern';

export { RUN_ID_PATTERN } from './run-id-pattern';

export const runIdSchema = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(RUN_ID_PATTERN, 'must start with a letter or digit and contain only letters, digits, ".", "_", ":" and "-"')
  .openapi({ example: 'orders-2026-11-25-001' });

export const workflowDefinitionSchema = definitionSchema.openapi('WorkflowDefinition', {
  description: 'A graph in React Flow form: nodes, edges and settings. Unknown keys such as `position` are ignored.',
});

export const pinsSchema = z.record(nodeIdSchema, z.unknown()).openapi({
  description:
    'A test run: these nodes do not run; each succeeds at once with the output given here (`pinned: true` in its state), and what is downstream sees it as usual. ' +
    'A condition takes `true`/`false`, a switch `{ "handle": … }`, an approval `{ "approved": … }`. The run is marked `test`: left out of run counters and of run lists unless `?test=true`.',
});

export const startRunBodySchema = z
  .object({
    workflow: workflowDefinitionSchema,
    input: z.unknown().optional().openapi({ description: 'Any JSON; the output of every trigger node.' }),
    trigger: nodeIdSchema.optional().openapi({ description: 'Fire only this trigger node.' }),
    runId: runIdSchema.optional().openapi({ description: 'Client-chosen id (idempotency key); the Temporal workflow id.' }),
    priority: z.number().int().min(1).max(5).optional().openapi({
      description:
        "Temporal priority key of this run, its activities and children: 1 first … 5 last; overrides the definition's settings.priority (default 3).",
    }),
    pins: pinsSchema.optional(),
  })
  .openapi('StartRun');

export const runLinksSchema = z.object({ self: z.string(), temporalUi: z.string() }).openapi('RunLinks');

export const redriveBodySchema = z
  .object({
    fromNodes: z
      .array(nodeIdSchema)
      .max(1000)
      .optional()
      .openapi({ description: 'Run these nodes again, and everything downstream of them, whatever they did. Required to redrive a run that succeeded.' }),
    input: z.unknown().optional().openapi({ description: "A new input instead of the run's: nodes that read it (`$input`, a trigger's output) run again." }),
    version: z.enum(['same', 'latest']).optional().openapi({
      description: "`same` (default): the version the run ran; `latest`: the saved workflow's latest, reusing the nodes whose id and definition are unchanged.",
    }),
    runId: runIdSchema.optional().openapi({ description: "The new run's id (default `<runId>-r<n>`)." }),
  })
  .strict()
  .openapi('Redrive');

export const redriveCreatedSchema = z
  .object({
    runId: z.string(),
    redriveOf: z.string(),
    reused: z.array(z.string()).openapi({ description: 'Nodes whose output the new run reuses: they do not run again' }),
    links: runLinksSchema,
  })
  .openapi('RedriveCreated');

export const runCreatedSchema = z.object({ runId: z.string(), status: z.literal('running'), links: runLinksSchema }).openapi('RunCreated');

export const nodeErrorSchema = z
  .object({
    type: z.string(),
    message: z.string(),
    retryable: z.boolean().optional(),
    details: z.unknown().optional(),
    failedNodes: z.array(z.string()).optional(),
    /** A run ended by a `fail` node: that node's id (the error is the one it names). */
    nodeId: z.string().optional(),
  })
  .openapi('NodeError');

export const waitingSchema = z
  .object({
    kind: z.enum(['approval', 'event']),
    event: z.string().optional(),
    prompt: z.string().optional(),
    since: z.string(),
    timeoutAt: z.string().optional(),
  })
  .openapi('Waiting');

export const nodeStateSchema = z
  .object({
    status: z.enum(NODE_STATUSES),
    type: z.string().optional().openapi({ description: 'The node type, once it ran' }),
    attempts: z.number().int(),
    startedAt: z.string().nullable().optional(),
    finishedAt: z.string().nullable().optional(),
    output: z.unknown().optional(),
    error: nodeErrorSchema.optional(),
    queuedMs: z.number().optional().openapi({ description: "Activity nodes: scheduled → started of the last attempt, from the activity's own info" }),
    runMs: z
      .number()
      .optional()
      .openapi({ description: "The node's own work: the last attempt's request measured inside the activity, a delay's wait, 0 for in-workflow nodes" }),
    execution: z.enum(['activity', 'local', 'workflow']).optional(),
    waiting: waitingSchema.optional().openapi({ description: 'While the status is `waiting`: what for' }),
    childRunId: z.string().optional().openapi({ description: 'A subworkflow node: its child run' }),
    progress: z
      .object({ done: z.number().int(), failed: z.number().int(), total: z.number().int() })
      .optional()
      .openapi({ description: 'A forEach node: items that ended (failed included), failed, and in all' }),
    estimate: z
      .object({ ms: z.number().optional(), source: z.enum(['estimate', 'history', 'depth']) })
      .optional()
      .openapi({
        description:
          "When a limit can keep ready nodes waiting (`maxParallel`, or a host's for two or more `http` nodes): the duration the start order weighs this node with (longest remaining path first) and where it came from: its `estimate` field, its earlier runs, or one unit (depth, no `ms`)",
      }),
    handle: z
      .string()
      .optional()
      .openapi({ description: "The branch it took, when not a plain edge: a condition's `true`/`false`, a switch's case, `approved`/`rejected`/`timeout`" }),
    reused: z.object({ runId: z.string() }).optional().openapi({ description: 'Not run: its output was reused from this earlier run (a redrive)' }),
    pinned: z.literal(true).optional().openapi({ description: 'Not run: its output was pinned by a test run' }),
    reusedItems: z
      .object({ runId: z.string(), count: z.number().int() })
      .optional()
      .openapi({ description: 'A forEach in a redrive: this many items reused their outputs from run `runId` and did not run again' }),
    cached: z
      .object({ at: z.string(), runId: z.string() })
      .optional()
      .openapi({ description: "Not run: a hit in the node's cache, stored at `at` by run `runId`" }),
  })
  .openapi('NodeState');

export const runStatusSchema = z.enum(RUN_STATUSES).openapi('RunStatus');

export const metricsSchema = z
  .object({
    wallMs: z.number().openapi({ description: 'Start to end of the run (so far, while it runs)' }),
    workMs: z.number().openapi({ description: 'Longest path through the graph weighted by node runMs: what an ideal executor would take' }),
    overheadMs: z.number().openapi({ description: 'wallMs − workMs' }),
    efficiency: z.number().openapi({ description: 'workMs / wallMs' }),
    criticalPathMs: z.number().openapi({ description: 'Same as workMs (earlier name)' }),
    activityCount: z.number().int(),
  })
  .openapi('RunMetrics');

export const triggerKindSchema = z.enum(TRIGGER_KINDS).openapi('TriggerKind');

export const runSchema = z
  .object({
    runId: z.string(),
    name: z.string(),
    workflow: z
      .object({
        name: z.string(),
        version: z.string().nullable().openapi({ description: 'Saved version (content hash); null when the definition came with the run' }),
      })
      .openapi({ description: 'The workflow the run ran' }),
    trigger: z
      .object({ id: z.string().nullable(), kind: triggerKindSchema })
      .openapi({ description: 'The trigger node that fired (null: every trigger) and what fired it' }),
    parent: z
      .object({ runId: z.string(), nodeId: z.string(), links: z.object({ self: z.string() }) })
      .nullable()
      .openapi({ description: 'A subworkflow run: the run and node that started it' }),
    redriveOf: z
      .object({ runId: z.string(), links: z.object({ self: z.string() }) })
      .nullable()
      .openapi({ description: 'A redrive: the run it started from' }),
    redrivenBy: z.array(z.string()).openapi({ description: 'Runs that redrive this one, newest first' }),
    test: z.boolean().openapi({ description: 'A test run (pinned nodes): left out of run counters and of run lists unless `?test=true`' }),
    waitingFor: z
      .array(waitingSchema.extend({ nodeId: z.string(), links: z.object({ answer: z.string() }) }))
      .openapi({ description: 'Nodes waiting for a decision or an event, and where to send it' }),
    status: runStatusSchema,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    input: z.unknown(),
    nodes: z.record(z.string(), nodeStateSchema),
    output: z.unknown().optional(),
    error: nodeErrorSchema.optional(),
    metrics: metricsSchema,
    outputsOmitted: z.boolean().optional().openapi({ description: 'Node outputs were too large to keep in the final state.' }),
    links: runLinksSchema,
  })
  .openapi('Run');

/** What starting a run answers: the whole run when it ended within `Prefer: wait`, else that it runs. */
export const runStartedSchema = z.union([runSchema, runCreatedSchema]).openapi('RunStarted', {
  description:
    'With `Prefer: wait=<seconds>` (at most 60) and a run that ended within them: the whole run, and `Preference-Applied: wait=<seconds>`. Otherwise: the run id, status `running` and links.',
});

export const runSummarySchema = z
  .object({
    runId: z.string(),
    name: z.string(),
    version: z.string().nullable(),
    status: runStatusSchema,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    redriveOf: z.string().nullable().openapi({ description: 'A redrive: the run it started from' }),
    test: z.boolean().openapi({ description: 'A test run (pinned nodes)' }),
  })
  .openapi('RunSummary');

export const runListSchema = z.object({ runs: z.array(runSummarySchema), nextCursor: z.string().nullable() }).openapi('RunList');

export const listRunsQuerySchema = z.object({
  status: runStatusSchema.optional(),
  workflow: z.string().min(1).max(200).optional().openapi({ description: 'Definition (or saved workflow) name.' }),
  version: z.string().min(1).max(64).optional().openapi({ description: 'Saved workflow version.' }),
  redriveOf: runIdSchema.optional().openapi({ description: 'Only the redrives of this run.' }),
  test: z
    .enum(['true', 'false', 'any'])
    .default('false')
    .openapi({ description: 'Test runs (pinned nodes): left out by default; `true` lists only them, `any` both.' }),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be a cursor from an earlier page')
    .optional(),
});

export const cancelAcceptedSchema = z.object({ runId: z.string(), status: z.literal('canceling'), links: runLinksSchema }).openapi('CancelAccepted');

export const validateOkSchema = z
  .object({
    valid: z.literal(true),
    stats: z.object({ nodes: z.number().int(), edges: z.number().int(), triggers: z.number().int(), maxDepth: z.number().int() }),
  })
  .openapi('ValidationResult');

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
    links: z.object({ self: z.string(), temporalUi: z.string() }).optional().openapi({ description: 'On 409: the existing run.' }),
  })
  .openapi('Problem');

/** An OpenAPI response of a route that answers a problem (RFC 9457). */
export const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

export const runIdParamSchema = z.object({ runId: runIdSchema.openapi({ param: { name: 'runId', in: 'path' } }) });

export const healthSchema = z.object({ status: z.string(), checks: z.record(z.string(), z.unknown()).optional() }).openapi('Health');

// ---- Saved workflows, webhooks and schedules ----

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
    runId: runIdSchema.optional().openapi({ description: 'Client-chosen id (idempotency key); the Temporal workflow id.' }),
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
    duplicate: z.boolean().openapi({ description: "True when an Idempotency-Key matched an earlier delivery; runId is that delivery's run" }),
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

// ---- Answers to waiting nodes ----

export const nodeParamSchema = runIdParamSchema.extend({ nodeId: nodeIdSchema.openapi({ param: { name: 'nodeId', in: 'path' } }) });
export const eventParamSchema = runIdParamSchema.extend({ event: eventNameSchema.openapi({ param: { name: 'event', in: 'path' } }) });

export const decisionBodySchema = z
  .object({
    approved: z.boolean(),
    comment: z.string().max(2000).optional(),
    by: z.string().max(200).optional().openapi({ description: 'Who decided' }),
  })
  .strict()
  .openapi('Decision');

export const eventAcceptedSchema = z
  .object({ runId: z.string(), event: z.string(), status: z.literal('delivered'), links: runLinksSchema })
  .openapi('EventAccepted');

const isoTimeSchema = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-05T10:00:00Z' });

export const bulkBodySchema = z
  .object({
    action: z.enum(['redrive', 'cancel']),
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
  .object({ operationId: z.string(), action: z.enum(['redrive', 'cancel']), matched: z.number().int(), links: z.object({ self: z.string() }) })
  .openapi('BulkAccepted');

export const operationSchema = z
  .object({
    operationId: z.string(),
    action: z.enum(['redrive', 'cancel']),
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
    .regex(/^bulk-[a-z]+-[0-9a-f-]{36}$/, 'is not an operation id')
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
        })
        .openapi('NodeType'),
    ),
  })
  .openapi('NodeTypeList');
