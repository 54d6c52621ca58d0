/**
 * Runs: starting, redriving, reading, listing and canceling them; problems and health.
 */
import { z } from '@hono/zod-openapi';
import { definitionSchema, nodeIdSchema, TRIGGER_KINDS } from '../../graph/schema';
import { NODE_STATUSES } from '../../graph/scheduler';
import { RUN_STATUSES } from '../../graph/run-state';
import { WAITING_KINDS } from '../../graph/node-type';
import type { RunSummary } from '../../runs/run-view';
import { CHOSEN_RUN_ID_PATTERN, RUN_ID_PATTERN } from '../../runs/run-id-pattern';

/** An id a client chooses for a run (an idempotency key): in a project other than `default` the run's id is it behind the project's prefix. */
export const runIdSchema = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(CHOSEN_RUN_ID_PATTERN, 'must start with a letter or digit and contain only letters, digits, ".", "_", ":" and "-"')
  .openapi({ example: 'orders-2026-11-25-001' });

/** A run's id as the API gave it: `acme~orders-42` in project `acme`, `orders-42` in `default`. */
export const givenRunIdSchema = z
  .string()
  .max(160, 'must be at most 160 characters')
  .regex(RUN_ID_PATTERN, 'must be a run id this API gave out: an optional "<project>~", then a letter or digit and letters, digits, ".", "_", ":" and "-"')
  .openapi({ example: 'acme~orders-2026-11-25-001' });

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
    runId: runIdSchema
      .optional()
      .openapi({ description: "Client-chosen id (idempotency key). In a project other than `default` the run's id is `<project>~<runId>`." }),
    priority: z.number().int().min(1).max(5).optional().openapi({
      description:
        "Temporal priority key of this run, its activities and children: 1 first … 5 last; overrides the definition's settings.priority (default 3).",
    }),
    pins: pinsSchema.optional(),
  })
  .openapi('StartRun');

export const runLinksSchema = z
  .object({
    self: z.string(),
    temporalUi: z.string(),
    trace: z.string().optional().openapi({ description: "The run's trace in the tracing UI (`OTEL_TRACE_URL`), when the run is traced." }),
  })
  .openapi('RunLinks');

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

/** A queued run's limit key and its place in the key's queue (1 is next). */
export const runQueueSchema = z
  .object({ key: z.string(), position: z.number().int().min(1).nullable() })
  .openapi('RunQueue', { description: "A queued run: its limit's key and its place in the key's queue (1 is next; null when not known)" });

export const runCreatedSchema = z
  .object({ runId: z.string(), status: z.enum(['running', 'queued']), queue: runQueueSchema.optional(), links: runLinksSchema })
  .openapi('RunCreated');

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
    kind: z.enum(WAITING_KINDS),
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
    retries: z.array(z.string()).optional().openapi({
      description:
        'Activity nodes that were retried: the error types of the attempts before the last, oldest first (`TimeoutFailure` for one that never answered: its worker died or it timed out)',
    }),
    logs: z
      .array(z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() }))
      .optional()
      .openapi({ description: 'A code node: what its console said, first lines kept (64 KiB in all)' }),
    logsDropped: z.number().int().optional().openapi({ description: 'A code node: console calls past the log limit' }),
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
    queue: runQueueSchema.optional(),
    links: runLinksSchema,
  })
  .openapi('Run');

/** What starting a run answers: the whole run when it ended within `Prefer: wait`, else that it runs. */
export const runStartedSchema = z.union([runSchema, runCreatedSchema]).openapi('RunStarted', {
  description:
    'With `Prefer: wait=<seconds>` (at most 60) and a run that ended within them: the whole run, and `Preference-Applied: wait=<seconds>`. Otherwise: the run id, status `running` (or `queued`, with its place, when its limits made it wait) and links.',
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
  .openapi('RunSummary') satisfies z.ZodType<RunSummary>;

export const runListSchema = z.object({ runs: z.array(runSummarySchema), nextCursor: z.string().nullable() }).openapi('RunList');

export const listRunsQuerySchema = z.object({
  status: runStatusSchema.optional(),
  workflow: z.string().min(1).max(200).optional().openapi({ description: 'Definition (or saved workflow) name.' }),
  version: z.string().min(1).max(64).optional().openapi({ description: 'Saved workflow version.' }),
  redriveOf: givenRunIdSchema.optional().openapi({ description: 'Only the redrives of this run.' }),
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
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          line: z.number().int().optional().openapi({ description: "A code node's syntax error: its line in the code (1-based)" }),
          column: z.number().int().optional().openapi({ description: 'and its column (1-based)' }),
        }),
      )
      .optional(),
    requestId: z.string().optional(),
    links: z.object({ self: z.string(), temporalUi: z.string() }).optional().openapi({ description: 'On 409: the existing run.' }),
  })
  .openapi('Problem');

/** An OpenAPI response of a route that answers a problem (RFC 9457). */
/** A JSON answer of `schema`, as route definitions write their responses. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

/** The security requirement of every route behind the API's bearer credential. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

export const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

export const runIdParamSchema = z.object({ runId: givenRunIdSchema.openapi({ param: { name: 'runId', in: 'path' } }) });

export const healthSchema = z.object({ status: z.string(), checks: z.record(z.string(), z.unknown()).optional() }).openapi('Health');
