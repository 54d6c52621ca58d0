/**
 * Reads and changes runs through the Temporal client. A run's id is its
 * Temporal workflow id. State comes from the `state` query while a run is open,
 * and from its result (or failure details) once closed, so finished runs read
 * without a live worker; history is the last resort.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { FAILURE_TYPES } from '../graph/failures';
import type { NodeState, RunChanges, RunState, RunStatus } from '../graph/run-state';
import type { DecisionInput, GraphWorkflowInput, SavedRef, Waiting, WebhookRequest } from '../graph/run-state';
import {
  CHANGES_QUERY,
  DECISION_REFUSALS,
  DECISION_UPDATE,
  EVENT_SIGNAL,
  NAME_SEARCH_ATTRIBUTE,
  runTiming,
  VERSION_SEARCH_ATTRIBUTE,
  WORKFLOW_TYPE,
} from '../graph/run-state';
import type { TriggerKind } from '../graph/schema';
import { DEFAULT_NAME } from '../graph/schema';
import { redactSecrets } from '../graph/secrets';
import { ApiError } from './problem';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export const nameSearchAttribute = defineSearchAttributeKey(NAME_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const versionSearchAttribute = defineSearchAttributeKey(VERSION_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

/** Temporal's default limit on one payload (limit.blobSize.error). */
export const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** Definitions kept in memory for the run page (a definition never changes). */
const DEFINITIONS_KEPT = 200;

const STATUS_BY_TEMPORAL: Record<string, RunStatus> = {
  RUNNING: 'running',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'canceled', // the client's describe() spelling
  CANCELED: 'canceled', // the proto enum's, in list answers
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'succeeded',
};

const VISIBILITY_STATUS: Record<RunStatus, string> = {
  running: 'Running',
  succeeded: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

export interface RunStoreOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  temporalUiUrl: string;
  /** How long to wait for a query answer before falling back. */
  queryTimeoutMs?: number;
  /** Custom node types (names) every run is started with. */
  nodeTypes?: string[];
  /** Large payloads are claim-checked by the client's and worker's data converter. */
  claimCheck?: boolean;
}

export interface StartRunRequest {
  runId: string;
  definition: unknown;
  name: string;
  input?: unknown;
  trigger?: string;
  /** The saved workflow version (content hash); absent for a definition posted with the run. */
  version?: string;
  /** What started the run (default `manual`). */
  triggerKind?: TriggerKind;
  /** A webhook delivery's headers and query. */
  request?: WebhookRequest;
  /** Saved workflows its subworkflow nodes refer to (see library.ts). */
  library?: Record<string, SavedRef>;
  /** Custom node types the API validated (their names). */
  nodeTypes?: string[];
  /** See GraphWorkflowInput.claimCheck. */
  claimCheck?: boolean;
}

/** Which workflow a run ran, what started it, and its parent run (subworkflows), from the run's memo. */
export interface RunOrigin {
  workflow: { name: string; version: string | null };
  trigger: { id: string | null; kind: TriggerKind };
  parent: { runId: string; nodeId: string; links: { self: string } } | null;
}

/** A node the run waits on, and where to answer it. */
export interface WaitingFor extends Waiting {
  nodeId: string;
  links: { answer: string };
}

/**
 * How Braid starts the interpreter for a run: arguments, search attributes
 * and memo. `POST /v1/runs`, saved workflows, webhooks and schedule actions
 * all start runs with these, so every run records the same things.
 */
export function runStartOptions(req: Omit<StartRunRequest, 'runId'>) {
  const args: GraphWorkflowInput = {
    definition: req.definition,
    input: req.input ?? null,
    ...(req.trigger ? { trigger: req.trigger } : {}),
    ...(req.request ? { request: req.request } : {}),
    ...(req.library && Object.keys(req.library).length > 0 ? { library: req.library } : {}),
    ...(req.nodeTypes && req.nodeTypes.length > 0 ? { nodeTypes: req.nodeTypes } : {}),
    ...(req.claimCheck ? { claimCheck: true } : {}),
  };
  return {
    args: [args] as [GraphWorkflowInput],
    typedSearchAttributes: [
      { key: nameSearchAttribute, value: req.name },
      ...(req.version ? [{ key: versionSearchAttribute, value: req.version }] : []),
    ],
    memo: {
      name: req.name,
      ...(req.version ? { version: req.version } : {}),
      ...(req.trigger ? { trigger: req.trigger } : {}),
      triggerKind: req.triggerKind ?? 'manual',
    },
    staticSummary: `Braid run of "${req.name}"${req.version ? ` @ ${req.version}` : ''}`,
  };
}

export interface RunSummary {
  runId: string;
  name: string;
  version: string | null;
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

export type NodeView = Omit<NodeState, 'startedAt' | 'finishedAt'> & { startedAt?: string | null; finishedAt?: string | null };

export type RunView = Omit<RunState, 'startedAt' | 'finishedAt' | 'nodes'> & RunOrigin & {
  /** Nodes waiting for a decision or an event. */
  waitingFor: WaitingFor[];
  startedAt: string | null;
  finishedAt: string | null;
  nodes: Record<string, NodeView>;
  links: { self: string; temporalUi: string };
};

/**
 * A run as last read, with the workflow's state version (0 when it came from
 * a result or history) and which nodes changed since the snapshot it was
 * refreshed from (`null`: treat every node as changed).
 */
export interface RunSnapshot {
  view: RunView;
  version: number;
  changed: string[] | null;
}

export function createRunStore(opts: RunStoreOptions) {
  const { client, namespace } = opts;
  const queryTimeoutMs = opts.queryTimeoutMs ?? 3_000;
  const definitions = new Map<string, unknown>();

  const links = (runId: string, temporalRunId?: string) => ({
    self: `/v1/runs/${encodeURIComponent(runId)}`,
    temporalUi: `${opts.temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(runId)}${
      temporalRunId ? `/${temporalRunId}/history` : ''
    }`,
  });

  async function start(req: StartRunRequest) {
    if (!opts.claimCheck) {
      // Without the claim check the arguments go into history as one payload:
      // refuse what Temporal would refuse (after retrying for a while) up front.
      const bytes = Buffer.byteLength(JSON.stringify({ definition: req.definition, input: req.input ?? null, library: req.library ?? {} }));
      if (bytes > TEMPORAL_PAYLOAD_LIMIT_BYTES) {
        throw new ApiError(
          'payloadTooLarge',
          `the run's definition and input are ${bytes} bytes, over Temporal's payload limit (${TEMPORAL_PAYLOAD_LIMIT_BYTES} bytes); turn on the claim check (PAYLOAD_STORE) to store large payloads outside history`,
        );
      }
    }
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: opts.taskQueue,
      workflowId: req.runId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      ...runStartOptions({ ...req, nodeTypes: opts.nodeTypes, claimCheck: opts.claimCheck }),
    });
    return { runId: req.runId, links: links(req.runId, handle.firstExecutionRunId) };
  }

  async function describe(runId: string): Promise<WorkflowExecutionDescription> {
    const description = await client.workflow.getHandle(runId).describe();
    if (description.type !== WORKFLOW_TYPE) throw new ApiError('notFound', 'no run with this id');
    return description;
  }

  /** The run's changes since `since` (0: everything), or undefined when no worker answers in time. */
  async function queryChanges(runId: string, since: number): Promise<RunChanges | undefined> {
    try {
      return await client.withDeadline(Date.now() + queryTimeoutMs, () =>
        client.workflow.getHandle(runId).query<RunChanges, [number]>(CHANGES_QUERY, since),
      );
    } catch {
      return undefined;
    }
  }

  /** Final state carried by a closed run's result or failure. */
  async function closedState(runId: string): Promise<RunState | undefined> {
    try {
      return await client.workflow.getHandle(runId).result();
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        const cause = err.cause;
        if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.runFailed) return cause.details?.[0] as RunState;
      }
      return undefined;
    }
  }

  /** The graph workflow's input, from a run's first history event, decoded by the client's data converter (so encryption and the claim check hold). */
  async function startInput(first: HistoryEvent | undefined): Promise<GraphWorkflowInput | undefined> {
    const payloads = first?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const [args] = (await decodeArrayFromPayloads(client.options.loadedDataConverter, payloads)) as [GraphWorkflowInput | undefined];
    return args;
  }

  /** A run's state assembled from history when neither query nor result has it. */
  async function stateFromHistory(runId: string, d: WorkflowExecutionDescription): Promise<RunState> {
    const history = await client.workflow.getHandle(runId).fetchHistory();
    const events = history.events ?? [];
    const args = (await startInput(events[0]).catch(() => undefined)) as { input?: unknown; definition?: { nodes?: { id: string }[] } } | undefined;
    const nodes: Record<string, NodeState> = {};
    for (const n of args?.definition?.nodes ?? []) if (typeof n?.id === 'string') nodes[n.id] = { status: 'pending', attempts: 0 };
    const byScheduled = new Map<string, string>();
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityId) {
        byScheduled.set(String(e.eventId), scheduled.activityId);
        nodes[scheduled.activityId] = { status: 'running', attempts: 1 };
      }
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskCanceledEventAttributes;
      if (done?.scheduledEventId) {
        const id = byScheduled.get(String(done.scheduledEventId));
        if (id) {
          nodes[id]!.status = e.activityTaskCompletedEventAttributes ? 'succeeded' : e.activityTaskFailedEventAttributes ? 'failed' : 'canceled';
        }
      }
    }
    const failure = events.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
    return {
      runId,
      name: nameOf(d),
      status: STATUS_BY_TEMPORAL[d.status.name] ?? 'failed',
      startedAt: d.startTime.toISOString(),
      ...(d.closeTime ? { finishedAt: d.closeTime.toISOString() } : {}),
      input: args?.input ?? null,
      nodes,
      ...(failure ? { error: { type: failure.applicationFailureInfo?.type ?? 'Error', message: failure.message ?? 'failed' } } : {}),
      metrics: { wallMs: d.closeTime ? d.closeTime.getTime() - d.startTime.getTime() : Date.now() - d.startTime.getTime(), workMs: 0, overheadMs: 0, criticalPathMs: 0, efficiency: 0, activityCount: byScheduled.size },
    };
  }

  async function load(runId: string): Promise<{ view: RunView; version: number }> {
    const d = await describe(runId);
    const status = STATUS_BY_TEMPORAL[d.status.name] ?? 'failed';
    let state: RunState | undefined;
    let version = 0;
    // Succeeded and failed runs carry their final state in the result; a
    // running one is asked; a canceled, terminated or timed-out one is asked
    // (a worker replays it) and otherwise rebuilt from history.
    if (status === 'succeeded' || status === 'failed') state = await closedState(runId);
    if (!state) {
      const answer = await queryChanges(runId, 0);
      if (answer) {
        state = answer.state;
        if (status === 'running') version = answer.version;
      }
    }
    state ??= await stateFromHistory(runId, d);
    const nodes = Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, nodeView(n)]));
    const view: RunView = {
      ...state,
      ...originOf(d),
      waitingFor: waitingFor(runId, nodes),
      nodes,
      runId,
      status,
      startedAt: state.startedAt ?? d.startTime.toISOString(),
      finishedAt: state.finishedAt ?? d.closeTime?.toISOString() ?? null,
      links: links(runId, d.runId),
    };
    if (d.closeTime) {
      // The workflow's clock stands still within a workflow task (local
      // activities run inside one), so a closed run's wall time is Temporal's:
      // execution start to close.
      const wallMs = d.closeTime.getTime() - d.startTime.getTime();
      const workMs = view.metrics.workMs ?? view.metrics.criticalPathMs ?? 0;
      view.metrics = { ...view.metrics, ...runTiming(wallMs, workMs) };
    }
    if (status === 'terminated' || status === 'timed_out') {
      view.error ??= { type: status === 'terminated' ? 'TerminatedFailure' : 'TimeoutFailure', message: `run ${status.replace('_', ' ')}` };
      for (const node of Object.values(view.nodes)) if (node.status === 'running' || node.status === 'pending') node.status = 'canceled';
    }
    return { view: redactSecrets(view), version };
  }

  async function get(runId: string): Promise<RunView> {
    return (await load(runId)).view;
  }

  /**
   * A fresher snapshot of a run. A running run already read is asked only for
   * the nodes changed since its version (one small query); anything else is
   * read whole.
   */
  async function refresh(runId: string, prev?: RunSnapshot): Promise<RunSnapshot> {
    if (prev && prev.version > 0 && prev.view.status === 'running') {
      const answer = await queryChanges(runId, prev.version);
      if (answer && answer.state.status === 'running') {
        const { nodes: changedNodes, ...rest } = redactSecrets(answer.state);
        const nodes = answer.full ? {} : { ...prev.view.nodes };
        for (const [id, n] of Object.entries(changedNodes)) nodes[id] = nodeView(n);
        const view: RunView = {
          ...prev.view,
          ...rest,
          nodes,
          waitingFor: waitingFor(runId, nodes),
          status: 'running',
          finishedAt: null,
          links: prev.view.links,
        };
        return { view, version: answer.version, changed: answer.full ? null : Object.keys(changedNodes) };
      }
    }
    const { view, version } = await load(runId);
    return { view, version, changed: null };
  }

  async function list(params: { status?: RunStatus; workflow?: string; version?: string; limit: number; cursor?: string; closedAfter?: string }) {
    const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
    if (params.closedAfter) clauses.push(`CloseTime > ${JSON.stringify(params.closedAfter)}`);
    if (params.status) clauses.push(`ExecutionStatus = '${VISIBILITY_STATUS[params.status]}'`);
    if (params.workflow) clauses.push(`${NAME_SEARCH_ATTRIBUTE} = ${JSON.stringify(params.workflow)}`);
    if (params.version) clauses.push(`${VERSION_SEARCH_ATTRIBUTE} = ${JSON.stringify(params.version)}`);
    let nextPageToken: Uint8Array | undefined;
    if (params.cursor) {
      nextPageToken = Buffer.from(params.cursor, 'base64url');
    }
    let response;
    try {
      response = await client.workflowService.listWorkflowExecutions({
        namespace,
        query: clauses.join(' AND '),
        pageSize: params.limit,
        nextPageToken,
      });
    } catch (err) {
      if (params.cursor && (err as { code?: number }).code === 3) throw new ApiError('badRequest', 'cursor is not valid');
      throw err;
    }
    const runs: RunSummary[] = (response.executions ?? []).map((e) => {
      const statusName = temporal.api.enums.v1.WorkflowExecutionStatus[e.status ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '') ?? '';
      const namePayload = e.searchAttributes?.indexedFields?.[NAME_SEARCH_ATTRIBUTE];
      const memoName = e.memo?.fields?.name;
      const name = namePayload ? defaultPayloadConverter.fromPayload(namePayload) : memoName ? defaultPayloadConverter.fromPayload(memoName) : undefined;
      const versionPayload = e.searchAttributes?.indexedFields?.[VERSION_SEARCH_ATTRIBUTE];
      const version = versionPayload ? defaultPayloadConverter.fromPayload(versionPayload) : undefined;
      return {
        runId: e.execution?.workflowId ?? '',
        name: typeof name === 'string' ? name : Array.isArray(name) ? String(name[0]) : DEFAULT_NAME,
        version: typeof version === 'string' ? version : null,
        status: STATUS_BY_TEMPORAL[statusName] ?? 'failed',
        startedAt: timestampToIso(e.startTime),
        finishedAt: timestampToIso(e.closeTime),
      };
    });
    const token = response.nextPageToken;
    return { runs, nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
  }

  async function cancel(runId: string) {
    const d = await running(runId);
    await client.workflow.getHandle(runId).cancel();
    return { runId, status: 'canceling' as const, links: links(runId, d.runId) };
  }

  /** The run's description; 409 when it is no longer running. */
  async function running(runId: string): Promise<WorkflowExecutionDescription> {
    const d = await describe(runId);
    if (d.status.name !== 'RUNNING') {
      throw new ApiError('conflict', `run is already ${STATUS_BY_TEMPORAL[d.status.name] ?? d.status.name.toLowerCase()}`, {
        links: links(runId, d.runId),
      });
    }
    return d;
  }

  /** An approval node's decision, through the `decision` Update: the node's state once it took the decision. */
  async function decide(runId: string, input: DecisionInput): Promise<NodeView> {
    await running(runId);
    try {
      return nodeView(await client.workflow.getHandle(runId).executeUpdate<NodeState, [DecisionInput]>(DECISION_UPDATE, { args: [input] }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === DECISION_REFUSALS.unknownNode) throw new ApiError('notFound', err.cause.message);
        if (err.cause.type === DECISION_REFUSALS.notWaiting) throw new ApiError('conflict', err.cause.message);
        throw new ApiError('validation', err.cause.message, { errors: [{ path: '$', message: err.cause.message }] });
      }
      throw err;
    }
  }

  /** Delivers an event to the run's `wait` nodes (kept until one waits for it). */
  async function sendEvent(runId: string, name: string, payload: unknown): Promise<void> {
    await running(runId);
    await client.workflow.getHandle(runId).signal(EVENT_SIGNAL, { name, payload });
  }

  /**
   * The definition a run ran, from the input of its first history event (one
   * event read, decoded by the client's data converter, so encryption holds).
   * A definition never changes, so it is kept for the last few runs asked.
   */
  async function definition(runId: string): Promise<unknown> {
    const kept = definitions.get(runId);
    if (kept !== undefined) return kept;
    await describe(runId); // 404 for an unknown run or one that is not a graph run
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId: runId },
      maximumPageSize: 1,
    });
    const args = await startInput(page.history?.events?.[0]);
    if (args?.definition === undefined) throw new ApiError('notFound', 'this run has no graph definition in its history');
    if (definitions.size >= DEFINITIONS_KEPT) definitions.delete(definitions.keys().next().value!);
    definitions.set(runId, args.definition);
    return args.definition;
  }

  /** Runs closed after `since` (ISO), for metrics. */
  async function closedSince(since: string, limit: number): Promise<RunSummary[]> {
    return (await list({ closedAfter: since, limit })).runs;
  }

  return { start, get, definition, refresh, list, closedSince, cancel, decide, sendEvent, links };
}

export type RunStore = ReturnType<typeof createRunStore>;

function waitingFor(runId: string, nodes: Record<string, NodeView>): WaitingFor[] {
  const base = `/v1/runs/${encodeURIComponent(runId)}`;
  return Object.entries(nodes)
    .filter(([, n]) => n.status === 'waiting' && n.waiting)
    .map(([nodeId, n]) => ({
      nodeId,
      ...n.waiting!,
      links: {
        answer:
          n.waiting!.kind === 'approval'
            ? `${base}/nodes/${encodeURIComponent(nodeId)}/decision`
            : `${base}/events/${encodeURIComponent(n.waiting!.event ?? '')}`,
      },
    }));
}

function nodeView(n: NodeState): NodeView {
  return { ...n, startedAt: n.startedAt ?? null, finishedAt: n.finishedAt ?? null };
}

function originOf(d: WorkflowExecutionDescription): RunOrigin {
  const memo = d.memo ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const kind = text(memo.triggerKind);
  const parentRunId = text(memo.parentRunId);
  const parentNodeId = text(memo.parentNodeId);
  return {
    workflow: { name: nameOf(d), version: text(d.typedSearchAttributes.get(versionSearchAttribute)) ?? text(memo.version) },
    trigger: { id: text(memo.trigger), kind: kind === 'webhook' || kind === 'schedule' ? kind : 'manual' },
    parent: parentRunId && parentNodeId ? { runId: parentRunId, nodeId: parentNodeId, links: { self: `/v1/runs/${encodeURIComponent(parentRunId)}` } } : null,
  };
}

function nameOf(d: WorkflowExecutionDescription): string {
  const fromSa = d.typedSearchAttributes.get(nameSearchAttribute);
  if (typeof fromSa === 'string') return fromSa;
  const memo = d.memo?.name;
  return typeof memo === 'string' ? memo : DEFAULT_NAME;
}

function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const seconds = Number(ts.seconds);
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}
