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
import { buildOnce } from './build-once';
import { isDuration } from './duration';
import { isExpression } from './expressions';
import { LIMITS } from './constants';

export { DEFAULT_NAME, LIMITS } from './constants';

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
/** The out-edge handle of a waiting node (approval, wait) that timed out. */
export const TIMEOUT_HANDLE = 'timeout';

export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const nodeIdSchema = buildOnce('src/graph/schema#nodeIdSchema', () =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(LIMITS.maxIdLength, `must be at most ${LIMITS.maxIdLength} characters`)
    .regex(ID_PATTERN, 'may contain only letters, digits, "_" and "-"'),
);

export const durationSchema = buildOnce('src/graph/schema#durationSchema', () =>
  z.string().refine(isDuration, 'must be a duration such as "250ms", "30s", "5m", "2h" or "7d"'),
);

export const expressionSchema = buildOnce('src/graph/schema#expressionSchema', () =>
  z.string().refine(isExpression, 'must be an expression written as "{% … %}"'),
);

/** A value that is either `schema` or an expression evaluated at run time. */
export const exprOr = <T extends z.ZodType>(schema: T) => z.union([expressionSchema, schema]);

/** Keys editors keep in `data`; every type's data allows them. */
export const uiKeys = buildOnce('src/graph/schema#uiKeys', () => ({ label: z.string().optional(), description: z.string().optional() }));

export const retrySchema = buildOnce('src/graph/schema#retrySchema', () =>
  z
    .object({
      maximumAttempts: z.number().int().min(1).max(100).optional(),
      initialInterval: durationSchema.optional(),
      backoffCoefficient: z.number().min(1).max(100).optional(),
      maximumInterval: durationSchema.optional(),
    })
    .strict(),
);

/** How a trigger node fires; see src/graph/triggers.ts. */
export const TRIGGER_KINDS = ['manual', 'webhook', 'schedule'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
/** How a webhook trigger's deliveries are signed (`verify`); src/api/webhook-verify.ts checks each. */
export const WEBHOOK_VERIFY_SCHEMES = ['braid', 'github', 'stripe', 'slack'] as const;
export type WebhookVerifyScheme = (typeof WEBHOOK_VERIFY_SCHEMES)[number];
/** Shortest `every` of a schedule trigger. */
export const MIN_SCHEDULE_INTERVAL_MS = 1_000;
/** What a schedule does when a run is due while the previous one still runs (Temporal's overlap policies). */
export const SCHEDULE_OVERLAP = ['skip', 'bufferOne', 'allowAll', 'cancelOther'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAP)[number];

/** A saved workflow: `name` (its latest version when the run starts) or `name@version`. */
export const workflowRefSchema = buildOnce('src/graph/schema#workflowRefSchema', () =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(@[0-9a-f]{16})?$/, 'must be "name" or "name@version" of a saved workflow'),
);

/** The name of an external event a `wait` node waits for. */
export const eventNameSchema = buildOnce('src/graph/schema#eventNameSchema', () =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits, ".", "_", ":" and "-"'),
);

export const nodeSchema = buildOnce('src/graph/schema#nodeSchema', () =>
  z.object({
    id: nodeIdSchema,
    type: z.string(),
    label: z.string().max(200).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    retry: retrySchema.optional(),
    timeout: durationSchema.optional(),
    onError: z.enum(ON_ERROR).optional(),
    execution: z.enum(EXECUTION_MODES).optional(),
    /**
     * How long the node is expected to take (a duration, "2s"): when a limit
     * keeps ready nodes waiting, the one with the longest remaining path starts
     * first, weighted by these (src/graph/start-order.ts).
     */
    estimate: durationSchema.optional(),
    /**
     * Reuse this node's output while `ttl` lasts (http, activity and custom
     * nodes): keyed by the node type and its evaluated data, or by the
     * evaluated `key` expression (workflows/node-cache.ts).
     */
    cache: z
      .object({ ttl: durationSchema, key: z.string().min(1).max(2000).optional() })
      .strict()
      .optional(),
  }),
);

export const edgeSchema = buildOnce('src/graph/schema#edgeSchema', () =>
  z.object({
    id: z.string().max(200).optional(),
    source: z.string(),
    target: z.string(),
    sourceHandle: z.string().nullable().optional(),
  }),
);

export const settingsSchema = buildOnce('src/graph/schema#settingsSchema', () =>
  z
    .object({
      maxParallel: z.number().int().min(1).max(LIMITS.maxParallel).optional(),
      onError: z.enum(['failFast', 'continue']).optional(),
      strategy: z.enum(['parallel', 'sequential']).optional(),
      execution: z.enum(EXECUTION_MODES).optional(),
      /** Schedule triggers: what happens when a run is due while the last one still runs. */
      scheduleOverlap: z.enum(SCHEDULE_OVERLAP).optional(),
      /** Temporal priority key of the run, its activities and children: 1 first … 5 last (default 3). */
      priority: z.number().int().min(1).max(5).optional(),
      /** Temporal fairness key inside the run's project: runs sharing one get a share of the task queue by weight (default: the project). */
      fairnessKey: z.string().min(1).max(64).optional(),
      /** Weight of the fairness key (default 1). */
      fairnessWeight: z.number().min(0.001).max(1000).optional(),
      /** At most `limit` runs of this workflow at once per key (src/graph/admission.ts); the rest wait, are refused or cancel the oldest. */
      concurrency: z
        .object({
          key: z.string().min(1).max(2000),
          limit: z.number().int().min(1).max(10_000),
          onLimit: z.enum(['queue', 'skip', 'cancelOldest']).optional(),
        })
        .strict()
        .optional(),
      /** At most `limit` starts per key in any `period` (a sliding window); the rest wait, or are refused with `onLimit: "skip"`. */
      rateLimit: z
        .object({
          key: z.string().min(1).max(2000),
          limit: z.number().int().min(1).max(100_000),
          period: durationSchema,
          onLimit: z.enum(['queue', 'skip']).optional(),
        })
        .strict()
        .optional(),
      /** The run's deadline, from its start (queued and paused time included): past it, what runs is canceled and the run fails with RunTimedOut. */
      timeout: durationSchema.optional(),
      /** A saved workflow Braid runs when a run of this one fails, times out or is terminated (src/api/error-workflows.ts). */
      onFailure: z
        .object({ workflow: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a saved workflow name') })
        .strict()
        .optional(),
    })
    .strict(),
);

export const definitionSchema = buildOnce('src/graph/schema#definitionSchema', () =>
  z.object({
    name: z.string().min(1).max(200).optional(),
    version: z.union([z.string().max(64), z.number()]).optional(),
    nodes: z.array(nodeSchema).max(LIMITS.maxNodes, `must have at most ${LIMITS.maxNodes} nodes`),
    edges: z.array(edgeSchema).max(LIMITS.maxEdges, `must have at most ${LIMITS.maxEdges} edges`).default([]),
    settings: settingsSchema.optional(),
  }),
);

export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;
export type GraphSettings = z.infer<typeof settingsSchema>;
/** A definition as posted (after the shape check). */
export type GraphDefinition = z.input<typeof definitionSchema>;
export type RetryOptions = z.infer<typeof retrySchema>;
