/**
 * How a graph run starts on Temporal: its arguments, search attributes, memo
 * and priority (runStartOptions, shared by the API, saved workflows, webhooks
 * and schedule actions), and the run store's start, which takes the run in
 * past its limits first (admission.ts).
 */
import type { Priority } from '@temporalio/common';
import type { RunTraceInput } from '../graph/trace-ids';
import { runSpanIds } from '../graph/trace-ids';
import { runTraceContext } from '../telemetry/tracing';
import type { GraphWorkflowInput, SavedRef, Seeds, WebhookRequest } from '../graph/run-state';
import { WORKFLOW_TYPE, webhookInput } from '../graph/run-state';
import type { GraphSettings, TriggerKind } from '../graph/schema';
import type { Admission } from '../graph/admission';
import { DEFAULT_PROJECT, idInProject } from '../graph/project-ids';
import type { RunAccess, RunStoreOptions } from './run-access';
import {
  nameSearchAttribute,
  projectSearchAttribute,
  queuedSearchAttribute,
  redriveOfSearchAttribute,
  testSearchAttribute,
  versionSearchAttribute,
} from './run-view';
import { BraidError, RunExistsError, isAlreadyStarted } from './errors';
import { admissionRefused, createAdmitter } from './admission';

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
export function runStarter(opts: RunStoreOptions, { client, links }: RunAccess) {
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
      // A queued run is listed as queued from its start; the run clears the flag when it is let in (workflows/run-admission.ts).
      if (last?.verdict === 'queued') options.typedSearchAttributes.push({ key: queuedSearchAttribute, value: 'true' });
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
