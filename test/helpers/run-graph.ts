/** Runs a definition on a test environment and returns its final state, whether it succeeded or not. */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { GraphDefinition } from '../../src/graph/schema';
import type { GraphWorkflowInput, RunState } from '../../src/graph/run-state';
import { graphWorkflow, stateQuery } from '../../workflows';
import { createTestWorker, testActivities, uniqueId } from './temporal';
import { DEFAULT_PROJECT, idInProject } from '../../src/graph/project-ids';

export interface RunOptions {
  input?: unknown;
  trigger?: string;
  /** Saved workflows that subworkflow nodes refer to (the API resolves them in production). */
  library?: GraphWorkflowInput['library'];
  /** Custom node types the API would have validated (their names). */
  nodeTypes?: string[];
  activities?: Activities;
  /** Where the run stops itself (GraphWorkflowInput.historyLimits). */
  historyLimits?: GraphWorkflowInput['historyLimits'];
  /** The run's payloads are claim-checked (GraphWorkflowInput.claimCheck). */
  claimCheck?: boolean;
  /** Nodes whose outputs are known at start (GraphWorkflowInput.seeds). */
  seeds?: GraphWorkflowInput['seeds'];
  /** The run's project: its id is prefixed as the API would (src/graph/project-ids.ts). */
  project?: string;
  /** Called once the run started, before waiting for it (e.g. to query or cancel). */
  during?: (handle: Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>) => Promise<void>;
}

export interface RunOutcome {
  state: RunState;
  /** The failure the workflow ended with, if it did not succeed. */
  failure?: unknown;
  workflowId: string;
}

export async function runGraph(env: TestWorkflowEnvironment, definition: GraphDefinition | unknown, opts: RunOptions = {}): Promise<RunOutcome> {
  const taskQueue = uniqueId('tq');
  const workflowId = idInProject(opts.project ?? DEFAULT_PROJECT, uniqueId('run'));
  const worker = await createTestWorker(env, opts.activities ?? testActivities(), taskQueue);
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(graphWorkflow, {
      taskQueue,
      workflowId,
      args: [
        {
          definition,
          input: opts.input,
          trigger: opts.trigger,
          ...(opts.library ? { library: opts.library } : {}),
          ...(opts.nodeTypes ? { nodeTypes: opts.nodeTypes } : {}),
          ...(opts.historyLimits ? { historyLimits: opts.historyLimits } : {}),
          ...(opts.seeds ? { seeds: opts.seeds } : {}),
          ...(opts.claimCheck ? { claimCheck: true } : {}),
        },
      ],
    });
    if (opts.during) await opts.during(handle);
    return outcomeOf(handle);
  });
}

type Handle = Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>;

/** Waits for a run started on a worker that is running, and returns its final state whether it succeeded or not. */
export async function outcomeOf(handle: Handle): Promise<RunOutcome> {
  const { workflowId } = handle;
  try {
    return { state: await handle.result(), workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    // A failed run carries its state in the failure; a canceled one is asked.
    const state = cause instanceof ApplicationFailure ? (cause.details?.[0] as RunState) : await handle.query(stateQuery);
    return { state, failure: cause, workflowId };
  }
}

/**
 * Cancels a run and waits, while time is still locked, until it has ended.
 * Awaiting the result instead lets the time-skipping server jump ahead to the
 * run's timers, and one firing as the run cancels it fails the workflow task
 * ("TimerMachine in state CancelTimerCommandSent … TimerFired"): a race that
 * hung a CI run once.
 */
export async function cancelAndSettle(handle: Handle, timeoutMs = 60_000): Promise<void> {
  await handle.cancel();
  const deadline = Date.now() + timeoutMs;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`run ${handle.workflowId} still running ${timeoutMs} ms after it was canceled`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
