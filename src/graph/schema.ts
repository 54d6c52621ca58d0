/**
 * The definition format (React Flow compatible) as zod schemas. One schema feeds
 * validation, the TypeScript types and the API's OpenAPI document.
 *
 * Nodes and edges ignore unknown keys (`position`, `width`, `selected`, …) so a
 * graph exported from a React Flow editor can be posted as is. Type-specific
 * `data` is strict, so a typo such as `mehtod` is reported rather than ignored;
 * `label` and `description` are allowed there because editors keep them in data.
 */
import { z } from 'zod';
import { isDuration, parseDuration } from './duration';
import { isExpression } from './expressions';
import { LIMITS, NODE_TYPES, type NodeType } from './constants';

export { ACTIVITY_NODE_TYPES, DEFAULT_NAME, LIMITS, LOCAL_CAPABLE_TYPES, NODE_TYPES } from './constants';
export type { NodeType } from './constants';

export const ON_ERROR = ['fail', 'continue', 'branch'] as const;

/**
 * How an activity node runs: `activity` schedules a Temporal activity through
 * the server; `local` runs it as a local activity inside the workflow task's
 * worker (no server round trip, result recorded as a marker). A local activity
 * may run again after a worker crash, hence the limits in `validate`.
 */
export const EXECUTION_MODES = ['activity', 'local'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
/** Longest timeout a local node may have: local activities hold the workflow task. */
export const LOCAL_MAX_TIMEOUT_MS = 30_000;
/** Default start-to-close timeout of a local node. */
export const LOCAL_DEFAULT_TIMEOUT = '30s';
/** Methods a local node may use without an Idempotency-Key header. */
export const LOCAL_SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
export const ERROR_HANDLE = 'error';
/** Out-edge handles of an `approval` node, and of a waiting node that timed out. */
export const APPROVAL_HANDLES = { approved: 'approved', rejected: 'rejected', timeout: 'timeout' } as const;
export const TIMEOUT_HANDLE = 'timeout';
export const DEFAULT_HANDLE = 'default';

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const nodeIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.maxIdLength, `must be at most ${LIMITS.maxIdLength} characters`)
  .regex(ID_PATTERN, 'may contain only letters, digits, "_" and "-"');

export const durationSchema = z
  .string()
  .refine(isDuration, 'must be a duration such as "250ms", "30s", "5m", "2h" or "7d"');

export const expressionSchema = z.string().refine(isExpression, 'must be an expression written as "{% … %}"');

/** A value that is either `schema` or an expression evaluated at run time. */
const exprOr = <T extends z.ZodType>(schema: T) => z.union([expressionSchema, schema]);

const uiKeys = { label: z.string().optional(), description: z.string().optional() };

export const retrySchema = z
  .object({
    maximumAttempts: z.number().int().min(1).max(100).optional(),
    initialInterval: durationSchema.optional(),
    backoffCoefficient: z.number().min(1).max(100).optional(),
    maximumInterval: durationSchema.optional(),
  })
  .strict();

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const urlSchema = z.string().refine((s) => {
  try {
    const { protocol } = new URL(s);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

/** `http` node data after expressions are evaluated; checked again at run time. */
export const httpDataSchema = z
  .object({
    method: z.enum(HTTP_METHODS).default('GET'),
    url: urlSchema,
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    body: z.unknown().optional(),
    timeout: durationSchema.optional(),
    failOnHttpError: z.boolean().default(true),
    ...uiKeys,
  })
  .strict();

/** `http` node data as written, where any field may be an expression. */
const httpDataDefinitionSchema = z
  .object({
    method: exprOr(z.enum(HTTP_METHODS)).optional(),
    url: exprOr(urlSchema),
    headers: exprOr(z.record(z.string(), z.string())).optional(),
    query: exprOr(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
    body: z.unknown().optional(),
    timeout: exprOr(durationSchema).optional(),
    failOnHttpError: exprOr(z.boolean()).optional(),
    ...uiKeys,
  })
  .strict();

/** How a trigger node fires; see src/graph/triggers.ts. */
export const TRIGGER_KINDS = ['manual', 'webhook', 'schedule'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
/** Shortest `every` of a schedule trigger. */
export const MIN_SCHEDULE_INTERVAL_MS = 1_000;
/** What a schedule does when a run is due while the previous one still runs (Temporal's overlap policies). */
export const SCHEDULE_OVERLAP = ['skip', 'bufferOne', 'allowAll', 'cancelOther'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAP)[number];

/** A secret's name: env `BRAID_SECRET_<NAME>` holds its value. */
export const secretNameSchema = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a secret name such as "GITHUB_HOOK" (letters, digits and "_")');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const KIND_FIELDS = { secret: ['webhook'], cron: ['schedule'], timezone: ['schedule'], every: ['schedule'] } as const;

/**
 * `trigger` data: `kind` says what fires it (`manual` by default). A
 * `webhook` may name a `secret` that signs its deliveries; a `schedule` has
 * exactly one of `cron` (with an optional IANA `timezone`) or `every`.
 */
const triggerDataSchema = z
  .object({
    kind: z.enum(TRIGGER_KINDS).optional(),
    secret: secretNameSchema.optional(),
    cron: z.string().min(1, 'must not be empty').max(200).optional(),
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as "Europe/Paris"').optional(),
    every: durationSchema
      .refine((d) => (parseDuration(d) ?? 0) >= MIN_SCHEDULE_INTERVAL_MS, `must be at least ${MIN_SCHEDULE_INTERVAL_MS / 1000} s`)
      .optional(),
    ...uiKeys,
  })
  .strict()
  .superRefine((d, ctx) => {
    const kind = d.kind ?? 'manual';
    for (const [field, kinds] of Object.entries(KIND_FIELDS)) {
      if (d[field as keyof typeof KIND_FIELDS] !== undefined && !(kinds as readonly string[]).includes(kind)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `only a "${kinds[0]}" trigger takes "${field}" (this one is "${kind}")` });
      }
    }
    if (kind === 'schedule') {
      if ((d.cron === undefined) === (d.every === undefined)) {
        ctx.addIssue({ code: 'custom', path: [], message: 'a schedule trigger needs exactly one of "cron" or "every"' });
      }
      if (d.timezone !== undefined && d.cron === undefined) {
        ctx.addIssue({ code: 'custom', path: ['timezone'], message: '"timezone" applies to "cron" only' });
      }
    }
  });

/** A saved workflow: `name` (its latest version when the run starts) or `name@version`. */
export const workflowRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(@[0-9a-f]{16})?$/, 'must be "name" or "name@version" of a saved workflow');

/** Most items a forEach node takes. */
export const FOR_EACH_MAX_ITEMS = 100_000;
export const FOR_EACH_DEFAULT_CONCURRENCY = 10;

/** The name of an external event a `wait` node waits for. */
export const eventNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits, ".", "_", ":" and "-"');

const handleSchema = z.string().min(1).max(LIMITS.maxIdLength).regex(ID_PATTERN, 'may contain only letters, digits, "_" and "-"');

export const DATA_SCHEMAS = {
  trigger: triggerDataSchema,
  http: httpDataDefinitionSchema,
  condition: z.object({ expression: expressionSchema, ...uiKeys }).strict(),
  switch: z
    .object({
      cases: z
        .array(z.object({ handle: handleSchema, expression: expressionSchema }).strict())
        .min(1, 'needs at least one case')
        .refine((cases) => new Set(cases.map((c) => c.handle)).size === cases.length, 'case handles must be unique')
        .refine((cases) => cases.every((c) => c.handle !== DEFAULT_HANDLE && c.handle !== ERROR_HANDLE), 'handles "default" and "error" are reserved'),
      ...uiKeys,
    })
    .strict(),
  merge: z.object({ mode: z.enum(['all', 'any']).optional(), ...uiKeys }).strict(),
  delay: z
    .object({
      duration: exprOr(durationSchema).optional(),
      until: exprOr(z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time')).optional(),
      ...uiKeys,
    })
    .strict()
    .refine((d) => (d.duration === undefined) !== (d.until === undefined), 'needs exactly one of "duration" or "until"'),
  set: z.object({ value: z.unknown(), ...uiKeys }).strict(),
  approval: z
    .object({
      timeout: durationSchema.optional(),
      /** Shown to whoever decides (and in the run's waitingFor). */
      prompt: z.string().max(2000).optional(),
      ...uiKeys,
    })
    .strict(),
  wait: z
    .object({
      event: eventNameSchema,
      timeout: durationSchema.optional(),
      ...uiKeys,
    })
    .strict(),
  activity: z
    .object({
      activityType: z.string().min(1, 'must not be empty').max(200),
      taskQueue: z.string().min(1, 'must not be empty').max(200).optional(),
      args: z.union([expressionSchema, z.array(z.unknown())]).optional(),
      ...uiKeys,
    })
    .strict(),
  forEach: z
    .object({
      /** The list: an array, or an expression giving one (at most FOR_EACH_MAX_ITEMS). */
      items: z.union([expressionSchema, z.array(z.unknown())]),
      /** The graph run for each item (its nodes see `$item` and `$index`; `$input` is the item). */
      body: z.record(z.string(), z.unknown()).optional(),
      ref: workflowRefSchema.optional(),
      maxConcurrency: z.number().int().min(1).max(LIMITS.maxParallel).optional(),
      toleratedFailurePercentage: z.number().min(0).max(100).optional(),
      ...uiKeys,
    })
    .strict()
    .refine((d) => (d.body === undefined) !== (d.ref === undefined), 'needs exactly one of "body" or "ref"'),
  subworkflow: z
    .object({
      /** An inline definition (validated as a workflow of its own). */
      workflow: z.record(z.string(), z.unknown()).optional(),
      /** A saved workflow: `name` (its latest version when the run starts) or `name@version`. */
      ref: workflowRefSchema.optional(),
      input: z.unknown().optional(),
      ...uiKeys,
    })
    .strict()
    .refine((d) => (d.workflow === undefined) !== (d.ref === undefined), 'needs exactly one of "workflow" or "ref"'),
} as const satisfies Record<NodeType, z.ZodType>;

export const nodeSchema = z.object({
  id: nodeIdSchema,
  type: z.string(),
  label: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  retry: retrySchema.optional(),
  timeout: durationSchema.optional(),
  onError: z.enum(ON_ERROR).optional(),
  execution: z.enum(EXECUTION_MODES).optional(),
});

export const edgeSchema = z.object({
  id: z.string().max(200).optional(),
  source: z.string(),
  target: z.string(),
  sourceHandle: z.string().nullable().optional(),
});

export const settingsSchema = z
  .object({
    maxParallel: z.number().int().min(1).max(LIMITS.maxParallel).optional(),
    onError: z.enum(['failFast', 'continue']).optional(),
    strategy: z.enum(['parallel', 'sequential']).optional(),
    execution: z.enum(EXECUTION_MODES).optional(),
    /** Schedule triggers: what happens when a run is due while the last one still runs. */
    scheduleOverlap: z.enum(SCHEDULE_OVERLAP).optional(),
  })
  .strict();

export const definitionSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  version: z.union([z.string().max(64), z.number()]).optional(),
  nodes: z.array(nodeSchema).max(LIMITS.maxNodes, `must have at most ${LIMITS.maxNodes} nodes`),
  edges: z.array(edgeSchema).max(LIMITS.maxEdges, `must have at most ${LIMITS.maxEdges} edges`).default([]),
  settings: settingsSchema.optional(),
});

export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;
export type GraphSettings = z.infer<typeof settingsSchema>;
/** A definition as posted (after the shape check). */
export type GraphDefinition = z.input<typeof definitionSchema>;
export type HttpData = z.output<typeof httpDataSchema>;
export type RetryOptions = z.infer<typeof retrySchema>;
export type TriggerData = z.output<typeof triggerDataSchema>;


export function isNodeType(type: string): type is NodeType {
  return (NODE_TYPES as readonly string[]).includes(type);
}
