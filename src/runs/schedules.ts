/**
 * Schedule triggers as Temporal Schedules. Each schedule trigger of a saved
 * workflow's latest version is one Schedule, id `braid:<name>:<triggerId>`,
 * whose action starts the interpreter with that version's definition and that
 * trigger. Saving a version creates or updates them (keeping paused state);
 * removing a trigger or the workflow deletes them. Temporal owns the timing,
 * overlap, catch-up and history; the Web UI lists them on its Schedules page.
 */
import { tracingOn } from '../telemetry/tracing';
import type { Client, ScheduleDescription, ScheduleOptionsAction, ScheduleSpec } from '@temporalio/client';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { ScheduleOverlap } from '../graph/schema';
import { durationMs } from '../graph/duration';
import type { TriggerSpec } from '../graph/triggers';
import type { SavedRef } from '../graph/run-state';
import { WORKFLOW_TYPE } from '../graph/run-state';
import { nameSlug } from './run-ids';
import { DEFAULT_PROJECT, idInProject } from '../graph/project-ids';
import type { RunStore } from './run-store';
import { runStartOptions } from './run-store';
import { BraidError, grpcCode } from './errors';
import { validationError } from './validation';

const OVERLAP: Record<ScheduleOverlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  bufferOne: ScheduleOverlapPolicy.BUFFER_ONE,
  allowAll: ScheduleOverlapPolicy.ALLOW_ALL,
  cancelOther: ScheduleOverlapPolicy.CANCEL_OTHER,
};
const OVERLAP_NAME = Object.fromEntries(Object.entries(OVERLAP).map(([k, v]) => [v, k])) as Record<string, ScheduleOverlap>;

/** A schedule's id: `braid:<name>:<triggerId>`, behind its project's prefix outside `default`. */
export function scheduleId(workflowName: string, triggerId: string, project: string = DEFAULT_PROJECT): string {
  return idInProject(project, `braid:${workflowName}:${triggerId}`);
}

/** A saved version as the schedules need it. */
export interface ScheduledVersion {
  name: string;
  version: string;
  definition: unknown;
  /** Saved workflows its subworkflow nodes refer to, resolved when the version was saved. */
  library?: Record<string, SavedRef>;
  triggers: readonly TriggerSpec[];
  overlap: ScheduleOverlap;
}

export interface ScheduleView {
  scheduleId: string;
  triggerId: string;
  spec: { cron?: string; timezone?: string; every?: string };
  overlap: ScheduleOverlap;
  version: string | null;
  paused: boolean;
  note: string | null;
  nextRunTimes: string[];
  recentRuns: { runId: string; scheduledAt: string; startedAt: string; links: { self: string; temporalUi: string } }[];
  links: { temporalUi: string };
}

function specOf(trigger: TriggerSpec): ScheduleSpec {
  if (trigger.cron !== undefined) {
    return { cronExpressions: [trigger.cron], ...(trigger.timezone ? { timezone: trigger.timezone } : {}) };
  }
  return { intervals: [{ every: durationMs(trigger.every!) }] };
}

export interface SchedulesOptions {
  client: Client;
  taskQueue: string;
  namespace: string;
  temporalUiUrl: string;
  runs: RunStore;
  nodeTypes?: string[];
  claimCheck?: boolean;
  /** The project whose workflows these schedules run (default `default`). */
  project?: string;
}

/** Creates the schedule, or updates one that exists: an update replaces spec, action and policies; paused state and note stay. */
async function createOrUpdate(
  client: Client,
  id: string,
  parts: { spec: ScheduleSpec; action: ScheduleOptionsAction; policies: { overlap: ScheduleOverlapPolicy }; memo: Record<string, unknown> },
  v: ScheduleVersionTrigger,
): Promise<void> {
  const { spec, action, policies } = parts;
  try {
    await client.schedule.create({ scheduleId: id, ...parts, state: { note: `Braid workflow "${v.name}", trigger "${v.trigger.id}"` } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(id).update((prev) => ({ ...prev, spec, action, policies }));
  }
}

export function createSchedules(opts: SchedulesOptions) {
  const { client } = opts;
  const project = opts.project ?? DEFAULT_PROJECT;
  const idOf = (name: string, triggerId: string) => scheduleId(name, triggerId, project);

  async function upsert(v: ScheduleVersionTrigger): Promise<void> {
    const id = idOf(v.name, v.trigger.id);
    const spec = specOf(v.trigger);
    const action = actionOf(v, opts);
    const policies = { overlap: OVERLAP[v.overlap] };
    const memo = { workflow: v.name, trigger: v.trigger.id };
    try {
      await createOrUpdate(client, id, { spec, action, policies, memo }, v);
    } catch (err) {
      // Validation keeps to what Temporal accepts; should the server still refuse the spec, say where.
      // (The client turns the server's INVALID_ARGUMENT into a TypeError.)
      if (err instanceof TypeError || grpcCode(err) === INVALID_ARGUMENT) {
        const path = `$.nodes[${v.trigger.index ?? '?'}].data${v.trigger.cron !== undefined ? '.cron' : '.every'}`;
        throw validationError([{ path, message: `Temporal refused the schedule: ${(err as Error).message}` }]);
      }
      throw err;
    }
  }

  async function remove(name: string, triggerId: string): Promise<void> {
    try {
      await client.schedule.getHandle(idOf(name, triggerId)).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }

  function handleFor(name: string, triggerId: string, triggers: readonly TriggerSpec[]) {
    if (!triggers.some((t) => t.id === triggerId && t.kind === 'schedule')) {
      throw new BraidError('notFound', `workflow "${name}" has no schedule trigger "${triggerId}"`);
    }
    return client.schedule.getHandle(idOf(name, triggerId));
  }

  return {
    /**
     * Makes the Schedules match `next` (a newly latest version): one per
     * schedule trigger, created or updated; schedules of `previous` triggers
     * that are gone are deleted.
     */
    async sync(next: ScheduledVersion, previous?: readonly TriggerSpec[]): Promise<void> {
      const scheduled = next.triggers.filter((t) => t.kind === 'schedule');
      for (const trigger of scheduled) await upsert({ ...next, trigger });
      const keep = new Set(scheduled.map((t) => t.id));
      for (const t of previous ?? []) if (t.kind === 'schedule' && !keep.has(t.id)) await remove(next.name, t.id);
    },

    /** Deletes the schedules of these triggers (missing ones are fine). */
    /** The id of this workflow's schedule for a trigger. */
    idOf,

    async removeAll(name: string, triggerIds: Iterable<string>): Promise<void> {
      for (const id of new Set(triggerIds)) await remove(name, id);
    },

    async list(name: string, triggers: readonly TriggerSpec[]): Promise<ScheduleView[]> {
      const out: ScheduleView[] = [];
      for (const trigger of triggers) {
        if (trigger.kind !== 'schedule') continue;
        try {
          out.push(view(trigger, await client.schedule.getHandle(idOf(name, trigger.id)).describe(), opts));
        } catch (err) {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
          // Saved but not (yet) created on this cluster: re-PUT the version to create it.
        }
      }
      return out;
    },

    async pause(name: string, triggerId: string, triggers: readonly TriggerSpec[], note?: string) {
      await notFoundAsApi(handleFor(name, triggerId, triggers).pause(note ?? 'paused through the Braid API'));
    },
    async unpause(name: string, triggerId: string, triggers: readonly TriggerSpec[], note?: string) {
      await notFoundAsApi(handleFor(name, triggerId, triggers).unpause(note ?? 'unpaused through the Braid API'));
    },
    /** Starts a run now, whatever the overlap policy (a person asked for it). */
    async trigger(name: string, triggerId: string, triggers: readonly TriggerSpec[]) {
      await notFoundAsApi(handleFor(name, triggerId, triggers).trigger(ScheduleOverlapPolicy.ALLOW_ALL));
    },
  };
}

type ScheduleVersionTrigger = ScheduledVersion & { trigger: TriggerSpec };

const INVALID_ARGUMENT = 3;

async function notFoundAsApi(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new BraidError('notFound', 'the schedule does not exist on the Temporal server; PUT the workflow again to create it');
    throw err;
  }
}

export type Schedules = ReturnType<typeof createSchedules>;

/** What a schedule starts: the interpreter with the version's definition and the trigger, as every run starts. */
function actionOf(v: ScheduleVersionTrigger, opts: SchedulesOptions): ScheduleOptionsAction {
  const start = runStartOptions({
    definition: v.definition,
    name: v.name,
    version: v.version,
    trigger: v.trigger.id,
    triggerKind: 'schedule',
    project: opts.project ?? DEFAULT_PROJECT,
    ...(v.library ? { library: v.library } : {}),
    ...(opts.nodeTypes ? { nodeTypes: opts.nodeTypes } : {}),
    claimCheck: opts.claimCheck,
    // Traced (when this process traces), each tick's run the root of a trace of its own.
    ...(tracingOn() ? { trace: {} } : {}),
  });
  return {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPE,
    taskQueue: opts.taskQueue,
    // Temporal appends the scheduled time: `<name>-<trigger>-2026-11-26T09:00:00Z`.
    workflowId: idInProject(opts.project ?? DEFAULT_PROJECT, `${nameSlug(v.name)}-${v.trigger.id}`),
    ...start,
  };
}

/** A schedule as the API shows it: its trigger's spec, its state, its next and recent runs. */
function view(trigger: TriggerSpec, d: ScheduleDescription, opts: Pick<SchedulesOptions, 'runs' | 'namespace' | 'temporalUiUrl'>): ScheduleView {
  // The version is the action's (an update replaces the action, not the schedule's memo).
  const memoVersion = d.action.type === 'startWorkflow' ? d.action.memo?.version : undefined;
  return {
    scheduleId: d.scheduleId,
    triggerId: trigger.id,
    spec: {
      ...(trigger.cron !== undefined ? { cron: trigger.cron } : {}),
      ...(trigger.timezone !== undefined ? { timezone: trigger.timezone } : {}),
      ...(trigger.every !== undefined ? { every: trigger.every } : {}),
    },
    overlap: (d.policies.overlap && OVERLAP_NAME[d.policies.overlap]) || 'skip',
    version: typeof memoVersion === 'string' ? memoVersion : null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: d.info.recentActions
      .filter((a) => a.action.type === 'startWorkflow')
      .map((a) => ({
        runId: a.action.workflow.workflowId,
        scheduledAt: a.scheduledAt.toISOString(),
        startedAt: a.takenAt.toISOString(),
        links: opts.runs.links(a.action.workflow.workflowId),
      }))
      .reverse(),
    links: {
      temporalUi: `${opts.temporalUiUrl}/namespaces/${encodeURIComponent(opts.namespace)}/schedules/${encodeURIComponent(d.scheduleId)}`,
    },
  };
}
