/** Reads histories for tests and benchmarks: WorkflowTaskFailed counts across a run and its batch children. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TaskFailures {
  /** WorkflowTaskFailed events in the run's history and its children's. */
  total: number;
  /** Batch children found. */
  children: number;
  /** Largest history (events) among the run and its children. */
  largestHistory: number;
  /** Longest workflow task (started → completed), ms, among the run and its children. */
  longestTaskMs: number;
  /** Causes seen, e.g. WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND. */
  causes: string[];
}

/** Every event of a history, in small pages (a wide run's history can exceed gRPC's 4 MB message limit in one). */
export async function readHistory(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: 5,
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

export const eventMs = (t: HistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

export async function countWorkflowTaskFailures(client: Client, workflowId: string): Promise<TaskFailures> {
  const ids = [workflowId];
  for await (const child of client.workflow.list({ query: `ParentWorkflowId = '${workflowId}'` })) ids.push(child.workflowId);
  const out: TaskFailures = { total: 0, children: ids.length - 1, largestHistory: 0, longestTaskMs: 0, causes: [] };
  for (const id of ids) {
    const events = await readHistory(client, id);
    out.largestHistory = Math.max(out.largestHistory, events.length);
    let taskStarted = 0;
    for (const e of events) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) taskStarted = eventMs(e.eventTime);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) out.longestTaskMs = Math.max(out.longestTaskMs, eventMs(e.eventTime) - taskStarted);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        out.total++;
        const cause = e.workflowTaskFailedEventAttributes?.cause;
        out.causes.push(temporal.api.enums.v1.WorkflowTaskFailedCause[cause ?? 0] ?? String(cause));
      }
    }
  }
  return out;
}
