/**
 * Reads and changes runs through the Temporal client. A run's id is its
 * Temporal workflow id. State comes from the `state` query while a run is open,
 * and from its result (or failure details) once closed, so finished runs read
 * without a live worker; history is the last resort.
 */
import type { RunTraceInput } from '../graph/trace-ids';
import { runSpanIds } from '../graph/trace-ids';
import { runTraceContext } from '../telemetry/tracing';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionInput, GraphWorkflowInput, NodeState, RunState, SavedRef, Seeds, WebhookRequest } from '../graph/run-state';
import {
  CONTROL_SIGNAL,
  DECISION_REFUSALS,
  DECISION_UPDATE,
  EVENT_SIGNAL,
  PAUSE_UPDATE,
  PAUSED_SEARCH_ATTRIBUTE,
  RESUME_UPDATE,
  WORKFLOW_TYPE,
} from '../graph/run-state';
import type { GraphSettings, TriggerKind } from '../graph/schema';
import type { NodeView, RunSummary } from './run-view';
import { nodeView } from './run-view';
import type { RunFilter } from './run-visibility';
import { summaryOf, visibilityQuery } from './run-visibility';
import type { RunAccess, RunStoreOptions } from './run-access';
import { runAccess } from './run-access';
import { runInputs, runViews } from './run-reads';
import { nameSearchAttribute, projectSearchAttribute, redriveOfSearchAttribute, testSearchAttribute, versionSearchAttribute } from './run-view';
import { DEFAULT_PROJECT, idInProject } from '../graph/project-ids';
import { BraidError, RunExistsError, isAlreadyStarted, isTemporalBusy } from './errors';
import { admissionRefused, createAdmitter } from './admission';
import type { Admission } from '../graph/admission';
import { webhookInput } from '../graph/run-state';

export type { RunStoreOptions } from './run-access';
export type { NodeView, RunOrigin, RunSnapshot, RunSummary, RunView, WaitingFor } from './run-view';
export { nameSearchAttribute, versionSearchAttribute } from './run-view';

/** Temporal's default limit on one payload (limit.blobSize.error). */
export const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

export interface StartRunRequest {
  /** The run's id in its project: outside `default` the Temporal workflow id is it behind the project's prefix (project-ids.ts). */
  runId: string;
  /** The project the run belongs to (default `default`). */
  project?: string;
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
  /** Nodes' median durations in earlier runs, for the start order (learned-durations.ts). */
  learnedMs?: Record<string, number>;
  /** Temporal priority key (1 first … 5), over the definition's `settings.priority`. */
  priority?: number;
  /** Custom node types the API validated (their names). */
  nodeTypes?: string[];
  /** See GraphWorkflowInput.claimCheck. */
  claimCheck?: boolean;
  /** Nodes known at start (src/graph/seeds.ts): a redrive's reused outputs, a test run's pins. */
  seeds?: Seeds;
  trace?: RunTraceInput; // tracing on: a redrive's (with its link), else the active span's
  /** A test run (it has pins): searchable, left out of run counters and of lists unless asked for. */
  test?: boolean;
  /** The run this one redrives. */
  redriveOf?: string;
  /** An error workflow's run: the run whose failure started it (its own failure starts no other). */
  errorOf?: string;
}

/**
 * The run's Temporal priority (its activities and children inherit it): the request's `priority`, else `settings.priority`;
 * fairness by `settings.fairnessKey` inside the run's project, else the project, weighted by `settings.fairnessWeight`.
 */
export function runPriority(req: Pick<StartRunRequest, 'definition' | 'priority' | 'project'>): Priority {
  const settings = ((req.definition as { settings?: GraphSettings } | null)?.settings ?? {}) as GraphSettings;
  const priorityKey = req.priority ?? settings.priority;
  const project = req.project ?? DEFAULT_PROJECT;
  return {
    ...(priorityKey === undefined ? {} : { priorityKey }),
    // One busy project cannot starve the others; a key of the run's own is a share inside its project's.
    fairnessKey: settings.fairnessKey === undefined ? project : `${project}/${settings.fairnessKey}`,
    ...(settings.fairnessWeight === undefined ? {} : { fairnessWeight: settings.fairnessWeight }),
  };
}

/** The saved workflow a definition's `settings.onFailure` names. */
export function onFailureOf(definition: unknown): string | undefined {
  return ((definition as { settings?: GraphSettings } | null)?.settings ?? {}).onFailure?.workflow;
}

/** How every run starts (API, saved workflows, webhooks, schedule actions): the interpreter's arguments, search attributes, memo. */
export function runStartOptions(req: Omit<StartRunRequest, 'runId'>) {
  const onFailure = onFailureOf(req.definition);
  const args: GraphWorkflowInput = {
    definition: req.definition,
    input: req.input ?? null,
    ...(req.trigger ? { trigger: req.trigger } : {}),
    ...(req.request ? { request: req.request } : {}),
    ...(req.library && Object.keys(req.library).length > 0 ? { library: req.library } : {}),
    ...(req.nodeTypes && req.nodeTypes.length > 0 ? { nodeTypes: req.nodeTypes } : {}),
    ...(req.claimCheck ? { claimCheck: true } : {}),
    ...(req.learnedMs && Object.keys(req.learnedMs).length > 0 ? { learnedMs: req.learnedMs } : {}),
    ...(req.seeds && Object.keys(req.seeds).length > 0 ? { seeds: req.seeds } : {}),
    ...(req.trace ? { trace: req.trace } : {}),
  };
  return {
    args: [args] as [GraphWorkflowInput],
    priority: runPriority(req),
    typedSearchAttributes: [
      { key: nameSearchAttribute, value: req.name },
      { key: projectSearchAttribute, value: req.project ?? DEFAULT_PROJECT },
      ...(req.version ? [{ key: versionSearchAttribute, value: req.version }] : []),
      ...(req.redriveOf ? [{ key: redriveOfSearchAttribute, value: req.redriveOf }] : []),
      ...(req.test ? [{ key: testSearchAttribute, value: 'true' }] : []),
    ],
    memo: {
      name: req.name,
      ...(req.project && req.project !== DEFAULT_PROJECT ? { project: req.project } : {}),
      ...(req.version ? { version: req.version } : {}),
      ...(req.redriveOf ? { redriveOf: req.redriveOf } : {}),
      ...(req.test ? { test: true } : {}),
      // Where a failure of this run goes (error-workflows.ts reads it from the run list); never for an error workflow's own run.
      ...(onFailure && !req.errorOf ? { onFailure } : {}),
      ...(req.errorOf ? { errorOf: req.errorOf } : {}),
      ...(req.trigger ? { trigger: req.trigger } : {}),
      triggerKind: req.triggerKind ?? 'manual',
      ...(req.trace ? { traced: true } : {}),
    },
    staticSummary: `Braid run of "${req.name}"${req.version ? ` @ ${req.version}` : ''}`,
  };
}

/** A run the store started: `queued` (with its place) when its limits made it wait. */
export interface StartedRun {
  runId: string;
  links: { self: string; temporalUi: string };
  status?: 'running' | 'queued';
  queue?: { key: string; position: number | null };
  /** What its limits said (none when it has no limits). */
  admissions?: Admission[];
}

/** Starts runs: the one place a graph run starts on Temporal, after its limits took it in. */
function runStarter(opts: RunStoreOptions, { client, links }: RunAccess) {
  const admitter = createAdmitter({ client, taskQueue: opts.flowTaskQueue ?? opts.taskQueue });
  return async function start(req: StartRunRequest): Promise<StartedRun> {
    if (!opts.claimCheck) {
      // Without the claim check the arguments go into history as one payload:
      // refuse what Temporal would refuse (after retrying for a while) up front.
      const bytes = Buffer.byteLength(JSON.stringify({ definition: req.definition, input: req.input ?? null, library: req.library ?? {} }));
      if (bytes > TEMPORAL_PAYLOAD_LIMIT_BYTES) {
        throw new BraidError(
          'payloadTooLarge',
          `the run's definition and input are ${bytes} bytes, over Temporal's payload limit (${TEMPORAL_PAYLOAD_LIMIT_BYTES} bytes); turn on the claim check (PAYLOAD_STORE) to store large payloads outside history`,
        );
      }
    }
    const project = req.project ?? DEFAULT_PROJECT;
    const runId = idInProject(project, req.runId);
    // Its limits first: a refused run never starts; a queued one starts and waits (workflows/run-admission.ts).
    const settings = (req.definition as { settings?: GraphSettings } | null)?.settings;
    const keyInput = req.request ? webhookInput(req.input ?? null, req.request) : (req.input ?? null);
    const admissions = await admitter.admit(runId, project, req.name, settings, keyInput);
    const last = admissions[admissions.length - 1];
    if (last?.verdict === 'refused') throw admissionRefused(last, links);
    try {
      const trace = req.trace ?? runTraceContext();
      const options = runStartOptions({ ...req, nodeTypes: opts.nodeTypes, claimCheck: opts.claimCheck, ...(trace ? { trace } : {}) });
      if (admissions.length > 0) options.args[0].admissions = admissions;
      const traceId = trace ? runSpanIds(runId, trace).traceId : undefined;
      if (traceId) Object.assign(options.memo, { traceId });
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: opts.taskQueue,
        workflowId: runId,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        ...options,
      });
      const queued =
        last?.verdict === 'queued' ? { status: 'queued' as const, queue: { key: last.key, position: last.position ?? null } } : { status: 'running' as const };
      return { runId, links: links(runId, handle.firstExecutionRunId, traceId), ...queued, admissions };
    } catch (err) {
      // What this start took in its limits is given back (a retry of a run that exists took nothing).
      await admitter.releaseTaken(runId, admissions);
      // The one place "a run with this id exists" is said, with the run's links.
      if (isAlreadyStarted(err)) throw new RunExistsError(runId, links(runId));
      throw err;
    }
  };
}

/** Starting, canceling and answering runs. */
function runCommands(opts: RunStoreOptions, access: RunAccess) {
  const { client, links, running } = access;
  const start = runStarter(opts, access);
  async function cancel(runId: string) {
    const d = await running(runId);
    await client.workflow.getHandle(runId).cancel();
    return { runId, status: 'canceling' as const, links: links(runId, d.runId) };
  }
  /** An approval node's decision, through the `decision` Update: the node's state once it took the decision. */
  async function decide(runId: string, input: DecisionInput): Promise<NodeView> {
    await running(runId);
    try {
      return nodeView(await client.workflow.getHandle(runId).executeUpdate<NodeState, [DecisionInput]>(DECISION_UPDATE, { args: [input] }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === DECISION_REFUSALS.unknownNode) throw new BraidError('notFound', err.cause.message);
        if (err.cause.type === DECISION_REFUSALS.notWaiting) throw new BraidError('conflict', err.cause.message);
        throw new BraidError('validation', err.cause.message, { errors: [{ path: '$', message: err.cause.message }] });
      }
      throw err;
    }
  }
  /**
   * Pauses or resumes a run through its update; a refusal (the run ended, or
   * is not paused) is a 409. When Temporal cannot take the update now (the
   * run's workflow task is being retried: a worker died with it), the same
   * ask goes as a signal, which Temporal keeps and the run applies when it
   * runs again (202 with the run as it stands; a resume that no longer
   * applies is let be).
   */
  async function control(runId: string, update: typeof PAUSE_UPDATE | typeof RESUME_UPDATE): Promise<void> {
    await running(runId);
    const handle = client.workflow.getHandle(runId);
    try {
      await handle.executeUpdate<RunState, []>(update);
    } catch (err) {
      if (isTemporalBusy(err)) {
        await handle.signal(CONTROL_SIGNAL, { action: update });
        return;
      }
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw new BraidError('conflict', err.cause.message);
      // The run ended between the check and the update: say how (409), as for a run that had ended before.
      if (err instanceof WorkflowNotFoundError) await running(runId);
      throw err;
    }
  }
  /** Delivers an event to the run's `wait` nodes (kept until one waits for it). */
  async function sendEvent(runId: string, name: string, payload: unknown): Promise<void> {
    await running(runId);
    await client.workflow.getHandle(runId).signal(EVENT_SIGNAL, { name, payload });
  }

  /**
   * Waits for a run to end, at most `timeoutMs` (or until `signal` aborts):
   * true once it ended, however it ended; false when the wait was cut short.
   * A long poll on the run's close event (Temporal's own result wait), not
   * a loop of queries.
   */
  async function waitForEnd(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const abort = signal ? AbortSignal.any([deadline, signal]) : deadline;
    try {
      await client.withAbortSignal(abort, () => client.workflow.getHandle(runId).result());
      return true;
    } catch (err) {
      // Failed, canceled, terminated or timed out: ended. Anything else (the wait cut short, the server away): not known to have ended.
      return !abort.aborted && err instanceof WorkflowFailedError;
    }
  }

  return {
    start,
    cancel,
    decide,
    sendEvent,
    waitForEnd,
    pause: (runId: string) => control(runId, PAUSE_UPDATE),
    resume: (runId: string) => control(runId, RESUME_UPDATE),
  };
}

/** Lists of runs, from Temporal's visibility store. */
function runLists({ client, namespace }: RunAccess) {
  async function list(params: RunFilter & { limit: number; cursor?: string }): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
    let response;
    try {
      response = await client.workflowService.listWorkflowExecutions({
        namespace,
        query: visibilityQuery(params),
        pageSize: params.limit,
        nextPageToken: params.cursor ? Buffer.from(params.cursor, 'base64url') : undefined,
      });
    } catch (err) {
      // A cursor Temporal cannot read (made up, or cut) is the caller's mistake: INVALID_ARGUMENT, or UNKNOWN from some visibility stores.
      const code = (err as { code?: number }).code;
      if (params.cursor && (code === 3 || code === 2))
        throw new BraidError('validation', 'cursor is not valid', { errors: [{ path: '$.query.cursor', message: 'is not a cursor this API gave out' }] });
      throw err;
    }
    const token = response.nextPageToken;
    return { runs: (response.executions ?? []).map(summaryOf), nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
  }
  /** Runs paused now, every project's (metrics). */
  async function countPaused(): Promise<number> {
    const answer = await client.workflowService.countWorkflowExecutions({
      namespace,
      query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${PAUSED_SEARCH_ATTRIBUTE} = 'true'`,
    });
    return Number(answer.count ?? 0);
  }
  /** Runs queued now, every project's, by saved workflow (`adhoc` for graphs posted with the run); at most 1,000 read (metrics). */
  async function queuedByWorkflow(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const { runs } = await list({ status: 'queued', test: 'any', limit: 1_000 });
    for (const r of runs) {
      const label = r.version ? r.name : 'adhoc';
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  }
  /** Runs closed after `since` (ISO), for metrics. */
  async function closedSince(since: string, limit: number): Promise<RunSummary[]> {
    return (await list({ closedAfter: since, limit })).runs;
  }

  /** Runs that redrive this one, newest first (visibility: a redrive shows within a second or so). */
  async function redrivesOf(runId: string): Promise<string[]> {
    return (await list({ redriveOf: runId, test: 'any', limit: 20 })).runs.map((r) => r.runId);
  }

  return { list, closedSince, redrivesOf, countPaused, queuedByWorkflow };
}

export function createRunStore(opts: RunStoreOptions) {
  const access = runAccess(opts);
  const inputs = runInputs(access);
  const { startInput: _startInput, ...inputReads } = inputs;
  return { ...runCommands(opts, access), ...runViews(opts, access, inputs), ...inputReads, ...runLists(access), links: access.links };
}

export type RunStore = ReturnType<typeof createRunStore>;

/** The run store as one project sees it: runs start in the project, lists show only its runs; reads by id are the caller's to check (the API's authorize.ts). */
export function runStoreInProject(store: RunStore, project: string): RunStore {
  return { ...store, start: (req) => store.start({ ...req, project }), list: (params) => store.list({ ...params, project }) };
}
