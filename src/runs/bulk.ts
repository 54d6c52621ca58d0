/**
 * Bulk operations (POST /v1/runs/bulk, GET /v1/operations/:id): redrive or
 * cancel every run a filter matches, after an outage, as Temporal's batch
 * operations and Inngest's bulk replay do. The API lists the runs (at most
 * BULK_LIMIT) and starts a workflow that works through them at a bounded
 * rate (workflows/bulk-operation-workflow.ts), so it survives restarts; its
 * activity redrives with the same code as POST …/redrive (`bulkTarget`,
 * which the worker builds).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BufferedRunStart } from '../graph/trigger-buffer';
import type { BulkTarget } from '../../activities/bulk';
import type { BulkAction, BulkOperationInput, BulkProgress, RunStatus } from '../graph/run-state';
import { BULK_PROGRESS_QUERY, BULK_WORKFLOW_TYPE } from '../graph/run-state';
import type { Redrive } from './redrive';
import type { RunStore } from './run-store';
import { STATUS_BY_TEMPORAL } from './run-view';
import type { Kysely } from 'kysely';
import type { Database } from '../store/tables';
import type { NodeTypeRegistry } from '../node-types';
import { createWorkflowRepository } from '../store/workflow-repository';
import { createRunStore, runStoreInProject } from './run-store';
import { createRunServices } from './services';
import { BraidError } from './errors';
import { DEFAULT_PROJECT, idInProject, projectOfId } from '../graph/project-ids';

/** Which runs an action takes when the filter names no status. */
const DEFAULT_STATUS: Record<BulkAction, RunStatus> = { cancel: 'running', pause: 'running', resume: 'paused', redrive: 'failed' };

/** Runs one operation handles at most (its history stays far below Temporal's limits). */
export const BULK_LIMIT = 1000;

export interface BulkFilter {
  workflow?: string;
  version?: string;
  status?: RunStatus;
  startedAfter?: string;
  startedBefore?: string;
}

export interface BulkOperationsOptions {
  client: Client;
  taskQueue: string;
  runs: RunStore;
}

/** What the activity redrives and cancels with: the API's own redrive, and a cancel that skips runs already ended. */
export function bulkTarget(runs: RunStore, redrive: Redrive): BulkTarget {
  return {
    redrive: async (runId) => (await redrive(runId, {})).runId,
    cancel: async (runId) => {
      await runs.cancel(runId);
    },
    pause: (runId) => runs.pause(runId),
    resume: (runId) => runs.resume(runId),
  };
}

export function createBulkOperations({ client, taskQueue, runs }: BulkOperationsOptions) {
  /** The runs a filter matches, newest first, at most `limit`. */
  async function matching(filter: BulkFilter, project: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await runs.list({ ...filter, project, limit: Math.min(limit - ids.length, 1000), ...(cursor ? { cursor } : {}) });
      ids.push(...page.runs.map((r) => r.runId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && ids.length < limit);
    return ids;
  }

  /** Starts an operation over the project's runs that match; its id carries the project (project-ids.ts). */
  async function start(action: BulkAction, filter: BulkFilter, limit = BULK_LIMIT, project: string = DEFAULT_PROJECT) {
    // Cancel and pause mean running runs, resume paused ones, redrive runs that failed, unless the filter says otherwise.
    const status = filter.status ?? DEFAULT_STATUS[action];
    const runIds = await matching({ ...filter, status }, project, Math.min(limit, BULK_LIMIT));
    const operationId = idInProject(project, `bulk-${action}-${randomUUID()}`);
    const input: BulkOperationInput = { action, runIds };
    await client.workflow.start(BULK_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: operationId,
      args: [input],
      memo: { action, filter: { ...filter, status } },
      staticSummary: `Braid bulk ${action} of ${runIds.length} run(s)`,
    });
    return { operationId, action, matched: runIds.length, links: { self: `/v1/operations/${operationId}` } };
  }

  async function get(operationId: string): Promise<BulkProgress & { operationId: string; status: RunStatus }> {
    const handle = client.workflow.getHandle(operationId);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new BraidError('notFound', 'no operation with this id');
      throw err;
    }
    if (description.type !== BULK_WORKFLOW_TYPE) throw new BraidError('notFound', 'no operation with this id');
    const status: RunStatus = STATUS_BY_TEMPORAL[description.status.name] ?? 'failed';
    const progress = status === 'succeeded' ? await handle.result() : await handle.query<BulkProgress>(BULK_PROGRESS_QUERY);
    return { operationId, status, ...progress };
  }

  return { start, get };
}

export type BulkOperations = ReturnType<typeof createBulkOperations>;

/** For the worker: a bulk target built on first use (it opens the database then). */
export function lazyBulkTarget(build: () => Promise<WorkerRunTarget>): WorkerRunTarget {
  let target: Promise<WorkerRunTarget> | undefined;
  const get = () =>
    (target ??= build().catch((err: unknown) => {
      target = undefined;
      throw err;
    }));
  return {
    redrive: async (runId) => (await get()).redrive(runId),
    cancel: async (runId) => (await get()).cancel(runId),
    pause: async (runId) => (await get()).pause(runId),
    resume: async (runId) => (await get()).resume(runId),
    startBuffered: async (project, start) => (await get()).startBuffered(project, start),
  };
}

export interface WorkerBulkOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  /** Where admission workflows run (Config.flowTaskQueue); `taskQueue` when unset. */
  flowTaskQueue?: string;
  temporalUiUrl: string;
  /** Custom node types (BRAID_NODE_TYPES) the API knows too. */
  nodeTypes: NodeTypeRegistry;
  claimCheck: boolean;
  database: Kysely<Database>;
  /** The worker's environment (webhook keys are read from it, not from this process's). */
  env?: Record<string, string | undefined>;
  activityAllowlist?: readonly string[];
}

/**
 * The worker's bulk target: the API's run store, saved workflows and redrive,
 * on the worker's client and Braid's database. A run is redriven in its own
 * project (its id says which), with that project's saved workflows.
 */
export function workerBulkTarget(opts: WorkerBulkOptions): WorkerRunTarget {
  const runs = createRunStore({
    client: opts.client,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.flowTaskQueue ? { flowTaskQueue: opts.flowTaskQueue } : {}),
    temporalUiUrl: opts.temporalUiUrl,
    nodeTypes: [...opts.nodeTypes.keys()],
    claimCheck: opts.claimCheck,
  });
  const repository = createWorkflowRepository(opts.database);
  const scoped = new Map<string, ReturnType<typeof createRunServices>>();
  const servicesIn = (project: string) => {
    let services = scoped.get(project);
    if (!services) {
      services = createRunServices({
        ...opts,
        runs: runStoreInProject(runs, project),
        repository: repository.inProject(project),
        hasWebhookSecret: (name) => opts.env?.[`BRAID_WEBHOOK_SECRET_${name}`] !== undefined,
        activityAllowlist: opts.activityAllowlist ?? [],
        project,
      });
      scoped.set(project, services);
    }
    return services;
  };
  return {
    ...bulkTarget(runs, (runId, req) => servicesIn(projectOfId(runId)).redrive(runId, req)),
    // A debounce or batch window closed: its run, of the version its last delivery was verified against.
    async startBuffered(project, start) {
      const { saved } = servicesIn(project);
      await saved.startVersion(await saved.version(start.workflow, start.version), {
        input: start.input,
        trigger: start.trigger,
        triggerKind: 'webhook',
        runId: start.runId,
        ...(start.request ? { request: start.request } : {}),
      });
    },
  };
}

/** What the worker's activities do with the API's code: bulk actions, and starting a buffered trigger's run. */
export interface WorkerRunTarget extends BulkTarget {
  startBuffered(project: string, start: BufferedRunStart): Promise<void>;
}
