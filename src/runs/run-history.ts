/**
 * A run's state rebuilt from its history, for the runs neither a query nor a
 * result can answer for (canceled, terminated or timed out, with no worker
 * to replay them). Only what history shows plainly: each activity node's
 * last status, the run's input, its failure. Pure.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { NodeState, RunState } from '../graph/run-state';
import { nameOf, STATUS_BY_TEMPORAL } from './run-view';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The parts of the interpreter's input this reads; anything else in it is ignored. */
export interface StartedWith {
  input?: unknown;
  definition?: unknown;
}

/** The node ids a definition lists, each pending until history says otherwise. */
function pendingNodes(args: StartedWith | undefined): Record<string, NodeState> {
  const nodes: Record<string, NodeState> = {};
  const listed = args?.definition !== null && typeof args?.definition === 'object' ? (args.definition as { nodes?: unknown }).nodes : undefined;
  const list = Array.isArray(listed) ? listed : [];
  for (const n of list) {
    const id = (n as { id?: unknown } | null)?.id;
    if (typeof id === 'string') nodes[id] = { status: 'pending', attempts: 0 };
  }
  return nodes;
}

export function stateFromEvents(
  runId: string,
  events: readonly HistoryEvent[],
  args: StartedWith | undefined,
  d: WorkflowExecutionDescription,
  nowMs: number,
): RunState {
  const nodes = pendingNodes(args);
  const byScheduled = new Map<string, string>();
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityId) {
      byScheduled.set(String(e.eventId), scheduled.activityId);
      nodes[scheduled.activityId] = { status: 'running', attempts: 1 };
    }
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskCanceledEventAttributes;
    const id = done?.scheduledEventId ? byScheduled.get(String(done.scheduledEventId)) : undefined;
    if (id) nodes[id]!.status = e.activityTaskCompletedEventAttributes ? 'succeeded' : e.activityTaskFailedEventAttributes ? 'failed' : 'canceled';
  }
  const failure = events.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
  const wallMs = (d.closeTime ? d.closeTime.getTime() : nowMs) - d.startTime.getTime();
  return {
    runId,
    name: nameOf(d),
    status: STATUS_BY_TEMPORAL[d.status.name] ?? 'failed',
    startedAt: d.startTime.toISOString(),
    ...(d.closeTime ? { finishedAt: d.closeTime.toISOString() } : {}),
    input: args?.input ?? null,
    nodes,
    ...(failure ? { error: { type: failure.applicationFailureInfo?.type ?? 'Error', message: failure.message ?? 'failed' } } : {}),
    metrics: { wallMs, workMs: 0, overheadMs: 0, criticalPathMs: 0, efficiency: 0, activityCount: byScheduled.size },
  };
}
