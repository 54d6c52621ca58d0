/**
 * The state of a run as the `state` query and the workflow's result report it,
 * and as the API serves it. Pure types and helpers.
 */
import type { Admission } from './admission';
import type { WaitingKind } from './node-type';
import { splitProjectId } from './project-ids';
import type { NodeStatus } from './scheduler';
import type { NodeEstimate } from './start-order';
import type { RunTraceInput } from './trace-ids';

/**
 * `paused`: running, but starting no node until resumed (POST /v1/runs/:id/pause);
 * `queued`: waiting for its limits (settings.concurrency, settings.rateLimit) to let it start.
 */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'canceled', 'terminated', 'timed_out'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run that has not ended: queued, running, or paused. */
export function isLive(status: RunStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'queued';
}

export interface NodeError {
  /** A failure type from FAILURE_TYPES, or the Temporal failure kind (`TimeoutFailure`, …). */
  type: string;
  message: string;
  retryable?: boolean;
  details?: unknown;
}

/** One console call of a code node. */
export type NodeLog = { level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export interface NodeState {
  status: NodeStatus;
  /** The node's type, once it ran (metrics group node times by it). */
  type?: string;
  /** Attempts made (activities retry; in-workflow nodes make one). */
  attempts: number;
  /** ISO times in workflow time. */
  startedAt?: string;
  finishedAt?: string;
  output?: unknown;
  error?: NodeError;
  /** Activity nodes: scheduled → started of the last attempt, from the activity's own info. */
  queuedMs?: number;
  /** Activity nodes that were retried: the error types of the attempts before the last, oldest first (`TimeoutFailure` for one that never answered). */
  retries?: string[];
  /** A code node: what its console said (first lines kept, 64 KiB in all), and how many calls were past that. */
  logs?: NodeLog[];
  logsDropped?: number;
  /** Time the node's own work took: the last attempt's request measured inside the activity, a delay's wait; 0 for in-workflow nodes. */
  runMs?: number;
  /** How the node ran: `activity`, `local` (local activity) or `workflow` (inside the workflow). */
  execution?: 'activity' | 'local' | 'workflow';
  /** While `waiting`: what for. */
  waiting?: Waiting;
  /** A subworkflow node: the child run's id (its own run in the API). */
  childRunId?: string;
  /** A forEach node: items done (failed included) and failed, of total. */
  progress?: ForEachProgress;
  /** When a limit can keep ready nodes waiting: the duration the start order weighs this node with, and where it came from. */
  estimate?: NodeEstimate;
  /** The out-edge handle it took, when not a plain one (condition, switch, approval, a timeout): what a redrive reuses. */
  handle?: string;
  /** Not executed: its output was reused from this earlier run (redrive). */
  reused?: { runId: string };
  /** Not executed: its output was pinned by a test run. */
  pinned?: true;
  /** Not executed: a cache hit, stored at `at` by run `runId` (the node's `cache`). */
  cached?: { at: string; runId: string };
  /** A forEach in a redrive: `count` of its items' outputs came from run `runId` and did not run again. */
  reusedItems?: { runId: string; count: number };
}

/** What a waiting node waits for. */
export interface Waiting {
  kind: WaitingKind;
  /** `wait` nodes: the event's name. */
  event?: string;
  /** `approval` nodes: the question asked. */
  prompt?: string;
  since: string;
  /** When it stops waiting and takes its `timeout` edge. */
  timeoutAt?: string;
}

/** An approval decision, as the `decision` update carries it. */
export interface DecisionInput {
  nodeId: string;
  approved: boolean;
  comment?: string;
  by?: string;
}

/** An external event for `wait` nodes, as the `event` signal carries it. */
export interface EventInput {
  name: string;
  payload: unknown;
}

/**
 * Run timing, defined so it cannot flatter: `workMs` is what an ideal executor would take (the longest path through the graph
 * weighted by each node's `runMs`), `wallMs` what the run took, and the difference is Braid's and Temporal's overhead.
 */
export interface RunMetrics {
  wallMs: number;
  /** Longest path through the graph by node `runMs` (request time, delay time; 0 for in-workflow nodes). */
  workMs: number;
  /** wallMs − workMs. */
  overheadMs: number;
  /** workMs / wallMs: 1 means no overhead at all. */
  efficiency: number;
  /** Same as workMs (the name of earlier releases). */
  criticalPathMs: number;
  /** Activity nodes started. */
  activityCount: number;
  /** Time the run spent paused (not counted as overhead); absent when it never was. */
  pausedMs?: number;
}

export interface RunState {
  runId: string;
  name: string;
  version?: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  input: unknown;
  nodes: Record<string, NodeState>;
  output?: unknown;
  /** How the run failed: `failedNodes` names the nodes; `nodeId` the `fail` node whose error this is. */
  error?: NodeError & { failedNodes?: string[]; nodeId?: string };
  metrics: RunMetrics;
  /** True when node outputs were left out of the final state to stay within Temporal's payload limits. */
  outputsOmitted?: boolean;
  /** While queued: the limit's key and its admission workflow (the API asks it for the run's place). */
  queue?: { key: string; entity: string };
}

/** Arguments of the interpreter workflow. */
export interface GraphWorkflowInput {
  definition: unknown;
  input?: unknown;
  /** Fire only this trigger. */
  trigger?: string;
  /** A webhook delivery's request; `$input` then also carries its headers and query (see webhookInput). */
  request?: WebhookRequest;
  /** Saved workflows that `subworkflow` nodes name (`name`, `name@version`), resolved by the API at start (a workflow cannot read Braid's database). */
  library?: Record<string, SavedRef>;
  /** A subworkflow's run: the parent run and node. */
  parent?: { runId: string; nodeId: string };
  /** A forEach item's run: the item (`$item`, also `$input`) and its index (`$index`). */
  item?: { value: unknown; index: number };
  /** Custom node types (src/node-types.ts) the API knew and checked; their nodes run as activities of that type. */
  nodeTypes?: string[];
  /** Large payloads are claim-checked (src/codec/claim-check.ts): the final state keeps every node output, even past 2 MB. */
  claimCheck?: boolean;
  /** Where the run stops itself, below the server's history limits (defaults: HISTORY_LIMITS). */
  historyLimits?: HistoryLimits;
  /** Nodes' durations in earlier runs (ms by node id), for the start order; the API passes them at start, so replay sees the same. */
  learnedMs?: Record<string, number>;
  /** Nodes whose outputs are known at start (seeds.ts): they succeed at once without running. */
  seeds?: Seeds;
  /** What the run's limits said when the API asked before starting it (src/runs/admission.ts); a run without asks itself. */
  admissions?: Admission[];
  /** A child run's parent's secret nonce (src/graph/secrets.ts); set by the parent workflow only. */
  secretNonce?: string;
  /** Set when the run is traced: the caller's trace context, if any (src/graph/trace-ids.ts). */
  trace?: RunTraceInput;
}

/** Where a seed's output comes from: an earlier run (redrive), or a pin (a test run). */
export type SeedSource = { runId: string } | 'pin';

/** A node's output known when the run starts (seeds.ts). */
export interface NodeSeed {
  /** Ignored for a partial seed (`items`). */
  output: unknown;
  /**
   * A forEach that failed: the outputs of the items that succeeded, by index.
   * The node runs again, but only its other items do (a partial seed).
   */
  items?: Record<string, unknown>;
  /** The out-edge handle it takes (condition `true`/`false`, a switch's case, approval `approved`/`rejected`/`timeout`). */
  handle?: string;
  from: SeedSource;
}

export type Seeds = Record<string, NodeSeed>;

/** History size past which a run fails itself, short of Temporal's own limits (51,200 events, 50 MB by default). */
export interface HistoryLimits {
  events: number;
  bytes: number;
}

export const HISTORY_LIMITS: HistoryLimits = { events: 40_000, bytes: 40 * 1024 * 1024 };

/** A forEach node's progress. */
export interface ForEachProgress {
  done: number;
  failed: number;
  total: number;
}

/** What a forEach batch tells its run as items end (a Signal, a few per batch). */
export interface ForEachProgressInput {
  nodeId: string;
  batch: number;
  done: number;
  failed: number;
}

/** A saved workflow a subworkflow node refers to, resolved to one version. */
export interface SavedRef {
  name: string;
  version: string;
  definition: unknown;
}

/** A subworkflow node's child run id: `<parent run id>.<node id>` (at most 128 characters). */
export function childRunId(parentRunId: string, nodeId: string): string {
  // The project prefix stays whole (project-ids.ts): a child belongs to its parent's project however long the ids.
  const { prefix, rest } = splitProjectId(parentRunId);
  return `${prefix}${rest.slice(0, 127 - nodeId.length)}.${nodeId}`;
}

/** What a webhook run keeps of its HTTP request besides the body. */
export interface WebhookRequest {
  /** Lower-case names; credentials (authorization, cookie, the signature) are left out. */
  headers: Record<string, string>;
  /** Query parameters; a repeated one is an array. */
  query: Record<string, string | string[]>;
}

/**
 * `$input` (and the trigger's output) of a webhook run: the JSON body's own keys when it is an object, plus `body` (the whole
 * body), `headers` and `query`, which always mean the request's. A run started any other way sees its input unchanged.
 */
export function webhookInput(body: unknown, request: WebhookRequest): Record<string, unknown> {
  const own = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return { ...own, body: body ?? null, headers: request.headers, query: request.query };
}

/** A workflow-time instant (ms since the epoch) as the run state's ISO string. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** The derived run metrics for a wall time and a work time (see RunMetrics). */
export function runTiming(
  wallMs: number,
  workMs: number,
  pausedMs = 0,
): Pick<RunMetrics, 'wallMs' | 'workMs' | 'overheadMs' | 'efficiency' | 'criticalPathMs' | 'pausedMs'> {
  // Paused time is the caller's choice, not Braid's overhead.
  const activeMs = Math.max(0, wallMs - pausedMs);
  return {
    wallMs,
    workMs,
    overheadMs: Math.max(0, activeMs - workMs),
    efficiency: activeMs > 0 ? Math.min(1, Math.round((workMs / activeMs) * 1000) / 1000) : 1,
    criticalPathMs: workMs,
    ...(pausedMs > 0 ? { pausedMs } : {}),
  };
}

/**
 * What the `changes` query answers: the run's fields and only the nodes that
 * changed after `since` (a version the caller already has; 0 for all).
 */
export interface RunChanges {
  version: number;
  /** True when `nodes` holds every node (since was 0 or older than the workflow knows). */
  full: boolean;
  state: Omit<RunState, 'nodes'> & { nodes: Record<string, NodeState> };
}

export const WORKFLOW_TYPE = 'graphWorkflow';
/** The child workflow that runs one slice of a wide ready set. */
export const BATCH_WORKFLOW_TYPE = 'nodeBatchWorkflow';
/** The interpreter under another name, for a new worker's warm-up runs (never listed as runs). */
export const WARMUP_WORKFLOW_TYPE = 'braidWarmup';
export const STATE_QUERY = 'state';
export const DECISION_UPDATE = 'decision';
export const FOR_EACH_PROGRESS_SIGNAL = 'forEachProgress';
/** The child workflow that runs a slice of a forEach node's items. */
export const FOR_EACH_BATCH_WORKFLOW_TYPE = 'forEachBatchWorkflow';
export const EVENT_SIGNAL = 'event';
/** Failure types of a refused decision (the update's validator). */
export const DECISION_REFUSALS = { unknownNode: 'UnknownNode', notWaiting: 'NodeNotWaiting' } as const;
export const CHANGES_QUERY = 'changes';
/** Pause and resume: updates (409 for a run that ended, or resuming one not paused); the signal when Temporal cannot take an update now. */
export const PAUSE_UPDATE = 'pause';
export const RESUME_UPDATE = 'resume';
export const CONTROL_SIGNAL = 'braid-control';
export const PAUSE_REFUSALS = { notRunning: 'RunNotRunning', notPaused: 'RunNotPaused' } as const;
export * from './search-attributes';

/** What a forEach node hands each of its batch children (workflows/for-each-batch-workflow.ts). */
export interface ForEachBatchInput {
  /** The run and node this batch works for (progress goes there). */
  parent: { runId: string; nodeId: string };
  batch: number;
  body: unknown;
  library?: Record<string, SavedRef>;
  nodeTypes?: string[];
  items: unknown[];
  /** Index of the first item in the node's whole list. */
  offset: number;
  concurrency: number;
  failFast: boolean;
  progressEvery: number;
  /** The run's payloads are claim-checked: each item's graph keeps whole outputs and the larger budgets, as the run does. */
  claimCheck?: boolean;
  /** Each item's index in the node's list, when the slice is not contiguous (a redrive runs only some items); else `offset + i`. */
  indices?: number[];
  /** The run's secret nonce, for the items' placeholders (src/graph/secrets.ts). */
  secretNonce?: string;
  trace?: RunTraceInput;
}

export type ItemOutcome = { ok: true; output: unknown } | { ok: false; error: NodeError; cancelled: boolean };

/** The workflow type of a bulk operation (POST /v1/runs/bulk; workflows/bulk-operation-workflow.ts). */
export const BULK_WORKFLOW_TYPE = 'bulkOperationWorkflow';
/** Query: a bulk operation's progress. */
export const BULK_PROGRESS_QUERY = 'progress';

export const BULK_ACTIONS = ['redrive', 'cancel', 'pause', 'resume'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkOperationInput {
  action: BulkAction;
  runIds: string[];
  /** Runs handled at once (default 5). */
  concurrency?: number;
  /** At most this many runs started per second (default 10). */
  perSecond?: number;
}

/** A bulk operation's progress: `runIds` are the runs it made (a redrive's new runs) or acted on (canceled). */
export interface BulkProgress {
  action: BulkAction;
  total: number;
  done: number;
  failed: number;
  runIds: string[];
  failures: { runId: string; message: string }[];
}
