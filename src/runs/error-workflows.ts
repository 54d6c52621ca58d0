/**
 * Error workflows (`settings.onFailure: { "workflow": "<saved name>" }`), as
 * n8n's Error Trigger and Argo's onExit: when a run fails, times out or is
 * terminated, Braid starts that saved workflow with what went wrong.
 *
 * A terminated or timed-out run runs no code of its own, so the API watches
 * instead: every few seconds it lists graph runs that closed that way since
 * its last look (Temporal's visibility; the run's memo names its error
 * workflow) and starts each one's error run under the id `<runId>-onfailure`.
 * That id makes it idempotent: several API replicas, or one restarted, start
 * it once. An error workflow's own run carries no `onFailure`, so its
 * failure starts nothing more.
 */
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type { Logger } from '../logger';
import { WORKFLOW_TYPE } from '../graph/run-state';
import type { RunStore, RunView } from './run-store';
import type { SavedWorkflows } from './saved-workflows';
import { isAlreadyStarted } from './errors';
import { projectOfId } from '../graph/project-ids';

/** The statuses that start an error workflow (visibility's spelling). */
const FAILED_STATUSES = ['Failed', 'Terminated', 'TimedOut'];
/** Closed runs read per page of visibility, and per look at most (the next look goes on from the same point). */
const PAGE_SIZE = 200;
const MAX_PER_LOOK = 5_000;

export interface ErrorWorkflowOptions {
  client: Client;
  namespace: string;
  runs: RunStore;
  /** A project's saved workflows: an error workflow is the failed run's project's. */
  savedIn: (project: string) => SavedWorkflows;
  logger: Logger;
  /** Closed runs read per page of visibility (default 200). */
  pageSize?: number;
  /** How far back the first look goes (default 1 h: runs that failed while no API was up). */
  lookbackMs?: number;
}

/** What an error workflow gets as its input. */
export function errorInput(run: RunView, definition: unknown) {
  const nodes = new Map(((definition as { nodes?: { id: string; data?: unknown }[] } | null)?.nodes ?? []).map((n) => [n.id, n]));
  const self = `/v1/runs/${encodeURIComponent(run.runId)}`;
  return {
    run: {
      id: run.runId,
      workflow: run.workflow.name,
      version: run.workflow.version,
      status: run.status,
      error: run.error ?? null,
      failedNodes: Object.entries(run.nodes)
        .filter(([, n]) => n.status === 'failed')
        .map(([id, n]) => ({ id, type: n.type ?? null, error: n.error ?? null, input: nodes.get(id)?.data ?? null })),
      links: { self, redrive: `${self}/redrive` },
    },
  };
}

export function createErrorWorkflows(opts: ErrorWorkflowOptions) {
  const { client, namespace, runs, savedIn, logger } = opts;
  let since = new Date(Date.now() - (opts.lookbackMs ?? 3_600_000)).toISOString();

  /** Starts the error run of one failed run, unless it exists; its id, or undefined when there is nothing to do. */
  async function handle(runId: string, workflow: string): Promise<string | undefined> {
    const id = `${runId}-onfailure`;
    if (await runs.exists(id)) return undefined;
    const [run, args] = await Promise.all([runs.get(runId), runs.startArgs(runId)]);
    try {
      // The failed run's project (its id says which): its saved workflow of that name, its run id prefix.
      await savedIn(projectOfId(runId)).startRun(workflow, { input: errorInput(run, args.definition), runId: id, errorOf: runId });
      logger.info('error workflow started', { run: runId, workflow, errorRun: id });
      return id;
    } catch (err) {
      if (isAlreadyStarted(err)) return undefined; // another replica was first
      throw err;
    }
  }

  /** One look: error runs for runs that failed since the last one, page by page. Returns the error runs started. */
  async function sweep(): Promise<string[]> {
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND CloseTime > ${JSON.stringify(since)} AND (${FAILED_STATUSES.map((s) => `ExecutionStatus = '${s}'`).join(' OR ')})`;
    const started: string[] = [];
    let newest = since;
    let nextPageToken: Uint8Array | undefined;
    let read = 0;
    do {
      const page = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: opts.pageSize ?? PAGE_SIZE, nextPageToken });
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      for (const e of page.executions ?? []) {
        read++;
        const runId = e.execution?.workflowId;
        const workflow = await memoText(client, e, 'onFailure').catch(() => undefined);
        const closed = e.closeTime?.seconds ? new Date(Number(e.closeTime.seconds) * 1000).toISOString() : undefined;
        if (!runId || !workflow) continue;
        try {
          const id = await handle(runId, workflow);
          if (id) started.push(id);
        } catch (err) {
          // Deleted workflow, server away: say so, and try again next time (the look-back margin keeps it).
          logger.warn('could not start an error workflow', { run: runId, workflow, error: (err as Error).message });
          continue;
        }
        if (closed && closed > newest) newest = closed;
      }
    } while (nextPageToken && read < MAX_PER_LOOK);
    // A look cut short keeps its starting point, so the next one reads the rest (runs handled already are skipped by id).
    // Otherwise keep a margin for visibility's lag; the idempotent id stops a second start.
    if (!nextPageToken) since = new Date(Math.max(Date.parse(since), Date.parse(newest) - 60_000)).toISOString();
    return started;
  }

  /** Looks every `intervalMs` until `signal` aborts. */
  function watch(intervalMs: number, signal: AbortSignal): void {
    let running: Promise<unknown> | undefined;
    // Said once per outage, not every look.
    let failing = false;
    const timer = setInterval(() => {
      running ??= sweep()
        .then(
          () => (failing = false),
          (err: unknown) => {
            if (!failing) logger.warn('error workflow sweep failed; trying again every look', { error: (err as Error).message });
            failing = true;
          },
        )
        .finally(() => (running = undefined));
    }, intervalMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  return { sweep, watch };
}

/** A memo field, decoded by the client's data converter (memos are encrypted with the rest when a codec is set). */
async function memoText(client: Client, e: temporal.api.workflow.v1.IWorkflowExecutionInfo, key: string): Promise<string | undefined> {
  const payload = e.memo?.fields?.[key];
  if (!payload) return undefined;
  const [value] = await decodeArrayFromPayloads(client.options.loadedDataConverter, [payload]);
  return typeof value === 'string' ? value : undefined;
}
