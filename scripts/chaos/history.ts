/**
 * For a duplicate the runner cannot explain by a crash: what the run's history
 * says happened around its requests. Workflow tasks that timed out or failed
 * (and which worker process held them) tell a redelivered task from a bug.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { eventMs, readHistory } from '../../test/helpers/history';

const { EventType, TimeoutType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface TaskTrail {
  /** Workflow tasks that timed out or failed between `from` and `to`. */
  troubled: number;
  /** One line per notable event, times relative to `from`. */
  lines: string[];
}

/** A time (ms since epoch) as signed seconds from `from`: `+1.25 s`, `-0.40 s`. */
const secondsFrom = (from: number) => (t: number) => `${t >= from ? '+' : ''}${((t - from) / 1000).toFixed(2)} s`;

/** Task-level events of run `runId` from `from - margin` to `to + margin` (ms since epoch). */
export async function taskTrail(client: Client, runId: string, from: number, to: number, margin = 15_000): Promise<TaskTrail> {
  const events = await readHistory(client, runId);
  const at = (e: (typeof events)[number]) => eventMs(e.eventTime);
  const rel = secondsFrom(from);
  const lines: string[] = [];
  let troubled = 0;
  for (const e of events) {
    const t = at(e);
    if (t < from - margin || t > to + margin) continue;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        lines.push(`${rel(t)} workflow task started by ${e.workflowTaskStartedEventAttributes?.identity ?? '?'}`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        if (t <= to + 1_000) troubled++;
        lines.push(`${rel(t)} workflow task timed out (${TimeoutType[e.workflowTaskTimedOutEventAttributes?.timeoutType ?? 0]})`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (t <= to + 1_000) troubled++;
        lines.push(
          `${rel(t)} workflow task failed (${WorkflowTaskFailedCause[e.workflowTaskFailedEventAttributes?.cause ?? 0]}): ${e.workflowTaskFailedEventAttributes?.failure?.message?.slice(0, 160) ?? ''}`,
        );
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        lines.push(`${rel(t)} activity timed out (${TimeoutType[e.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType ?? 0]})`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        lines.push(
          `${rel(t)} activity started, attempt ${e.activityTaskStartedEventAttributes?.attempt ?? '?'} by ${e.activityTaskStartedEventAttributes?.identity ?? '?'}`,
        );
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        lines.push(`${rel(t)} local activity marker recorded`);
        break;
    }
  }
  return { troubled, lines };
}

/** The events that tell where a late deadline's time went, from its timer to the run's end. */
const DEADLINE_EVENTS = new Map<number, string>([
  [EventType.EVENT_TYPE_TIMER_STARTED, 'timer started'],
  [EventType.EVENT_TYPE_TIMER_FIRED, 'timer fired'],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 'workflow task scheduled'],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 'workflow task started'],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 'workflow task completed'],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, 'workflow task timed out'],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'workflow task failed'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 'activity started'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, 'activity cancel requested'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, 'activity canceled'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'activity completed'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, 'activity failed'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 'signal received'],
  [EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, 'release sent'],
  [EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED, 'release delivered'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, 'run failed'],
]);

/**
 * For a deadline that ended more than 2 s late with no part down: the run's
 * events from its start to its end, times relative to the deadline (`due`),
 * so the report says whether the timer fired late, a workflow task waited,
 * or the running node took long to hear its cancellation.
 */
export async function deadlineTrail(client: Client, runId: string, due: number): Promise<string[]> {
  const events = await readHistory(client, runId);
  const rel = secondsFrom(due);
  const lines: string[] = [];
  for (const e of events) {
    const what = DEADLINE_EVENTS.get(e.eventType ?? 0);
    if (!what) continue;
    const by = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
    lines.push(`${rel(eventMs(e.eventTime))} ${what}${by ? ` by ${by}` : ''}`);
  }
  return lines;
}
