/**
 * Reads and changes runs through the Temporal client. A run's id is its
 * Temporal workflow id. State comes from the `state` query while a run is open,
 * and from its result (or failure details) once closed, so finished runs read
 * without a live worker; history is the last resort.
 */
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionInput, NodeState, RunState } from '../graph/run-state';
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
import type { NodeView, RunSummary } from './run-view';
import { nodeView } from './run-view';
import type { RunFilter } from './run-visibility';
import { summaryOf, visibilityQuery } from './run-visibility';
import type { RunAccess, RunStoreOptions } from './run-access';
import { runAccess } from './run-access';
import { runStarter } from './run-start';
import { runInputs, runViews } from './run-reads';
import { BraidError, isTemporalBusy } from './errors';

export type { RunStoreOptions } from './run-access';
export type { StartedRun, StartRunRequest } from './run-start';
export { onFailureOf, runPriority, runStartOptions, TEMPORAL_PAYLOAD_LIMIT_BYTES } from './run-start';
export type { NodeView, RunOrigin, RunSnapshot, RunSummary, RunView, WaitingFor } from './run-view';
export { nameSearchAttribute, versionSearchAttribute } from './run-view';

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
