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

/** Task-level events of run `runId` from `from - margin` to `to + margin` (ms since epoch). */
export async function taskTrail(client: Client, runId: string, from: number, to: number, margin = 15_000): Promise<TaskTrail> {
  const events = await readHistory(client, runId);
  const at = (e: (typeof events)[number]) => eventMs(e.eventTime);
  const rel = (t: number) => `${t >= from ? '+' : ''}${((t - from) / 1000).toFixed(2)} s`;
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
