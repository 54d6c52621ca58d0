/**
 * The forEach scenario: N items, each a run of a one-http-node body, through
 * the interpreter on a real dev server. Measures wall time and the histories
 * it leaves (events and bytes): the run's and each batch child's (items run
 * inside their batch), and WorkflowTaskFailed events in all of them.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { RunState } from '../src/graph/run-state';
import type { GraphDefinition } from '../src/graph/schema';
import { FOR_EACH } from '../workflows/partition';

const EventType = temporal.api.enums.v1.EventType;

interface HistoryFacts {
  events: number;
  bytes: number;
  taskFailures: number;
}

async function historyFacts(client: Client, workflowId: string): Promise<HistoryFacts> {
  const facts: HistoryFacts = { events: 0, bytes: 0, taskFailures: 0 };
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: 1000,
      nextPageToken,
    });
    const events = page.history?.events ?? [];
    facts.events += events.length;
    facts.bytes += temporal.api.history.v1.History.encode({ events }).finish().length;
    facts.taskFailures += events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return facts;
}

export function forEachGraph(base: string, maxConcurrency: number): GraphDefinition {
  const body = {
    name: 'item',
    nodes: [
      { id: 'in', type: 'trigger' },
      { id: 'call', type: 'http', data: { url: `{% "${base}/delay/0?i=" & $string($index) %}` } },
    ],
    edges: [{ source: 'in', target: 'call' }],
  };
  return {
    name: 'for-each-bench',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'each', type: 'forEach', data: { items: '{% $input.items %}', body, maxConcurrency } },
    ],
    edges: [{ source: 'start', target: 'each' }],
  };
}

export interface ForEachFacts {
  items: number;
  maxConcurrency: number;
  wallMs: number;
  /** The same batching written by hand (bench/workflows.ts handForEach), measured in the same run. */
  handWallMs: number;
  itemsPerSecond: number;
  batches: number;
  run: HistoryFacts;
  largestBatch: HistoryFacts;
  taskFailures: number;
  status: string;
}

export async function measureForEach(opts: { client: Client; taskQueue: string; base: string; items: number; maxConcurrency: number }): Promise<ForEachFacts> {
  const { client } = opts;
  const workflowId = `bench-for-each-${Math.random().toString(36).slice(2)}`;
  const items = Array.from({ length: opts.items }, (_, i) => i);
  const t0 = performance.now();
  const state = await client.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [{ definition: forEachGraph(opts.base, opts.maxConcurrency), input: { items } }],
  });
  const wallMs = performance.now() - t0;
  const t1 = performance.now();
  await client.workflow.execute('handForEach', {
    taskQueue: opts.taskQueue,
    workflowId: `${workflowId}-hand`,
    args: [
      opts.base,
      opts.items,
      FOR_EACH.itemsPerBatch,
      FOR_EACH.batchesInFlight,
      Math.min(FOR_EACH.window, Math.floor(opts.maxConcurrency / FOR_EACH.batchesInFlight)),
    ],
  });
  const handWallMs = performance.now() - t1;
  const run = await historyFacts(client, workflowId);
  const batchIds: string[] = [];
  for await (const b of client.workflow.list({ query: `ParentWorkflowId = '${workflowId}'` })) batchIds.push(b.workflowId);
  let largestBatch: HistoryFacts = { events: 0, bytes: 0, taskFailures: 0 };
  let taskFailures = run.taskFailures;
  for (const id of batchIds) {
    const f = await historyFacts(client, id);
    taskFailures += f.taskFailures;
    if (f.events > largestBatch.events) largestBatch = f;
  }
  return {
    items: opts.items,
    maxConcurrency: opts.maxConcurrency,
    wallMs: Math.round(wallMs),
    handWallMs: Math.round(handWallMs),
    itemsPerSecond: Math.round((opts.items / wallMs) * 1000),
    batches: batchIds.length,
    run,
    largestBatch,
    taskFailures,
    status: `${state.status}, ${state.nodes.each?.progress?.done ?? 0} done, ${state.nodes.each?.progress?.failed ?? 0} failed`,
  };
}
