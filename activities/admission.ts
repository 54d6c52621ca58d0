/**
 * The activities of admission (src/graph/admission.ts) and of buffered
 * triggers (debounce and batch):
 * - `admitRun`: a run asks its limits' entities to take it in, as the API
 *   does before it starts one (a schedule's runs, and queued runs when they
 *   start). The run and its project are the calling workflow's, never data.
 * - `admissionEnded`: which of the runs an entity holds have ended (or never
 *   started), so a run terminated without a word frees its slot.
 * - `startBufferedRun`: a debounce or batch window closed; start its run.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Admission } from '../src/graph/admission';
import type { GraphSettings } from '../src/graph/schema';
import { FAILURE_TYPES } from '../src/graph/failures';
import type { Admitter } from '../src/runs/admission';
import type { BufferedRunStart } from '../src/graph/trigger-buffer';
import { isAlreadyStarted } from '../src/runs/errors';
import { runProject } from './run-project';

export interface AdmissionDeps {
  client: Client;
  admitter: Admitter;
  /** Starts a buffered trigger's run (the API's saved-workflow code, built by the worker). */
  startBuffered?: (project: string, start: BufferedRunStart) => Promise<void>;
}

/** Errors that say the request cannot succeed (a BraidError's kind), not that something is away. */
const REFUSALS = new Set(['notFound', 'conflict', 'validation']);

export function createAdmissionActivities(deps: AdmissionDeps | undefined) {
  const need = (): AdmissionDeps => {
    if (!deps) throw ApplicationFailure.nonRetryable('this worker cannot admit runs', 'AdmissionUnavailable');
    return deps;
  };
  return {
    async admitRun({ workflow, settings, input }: { workflow: string; settings: GraphSettings; input: unknown }): Promise<Admission[]> {
      const runId = Context.current().info.workflowExecution!.workflowId;
      try {
        return await need().admitter.admit(runId, runProject(), workflow, settings, input);
      } catch (err) {
        if ((err as { kind?: string }).kind === 'validation') throw ApplicationFailure.nonRetryable((err as Error).message, FAILURE_TYPES.admissionRefused);
        throw err;
      }
    },

    async admissionEnded({ runIds }: { runIds: string[] }): Promise<string[]> {
      const { client } = need();
      const ended: string[] = [];
      for (const runId of runIds) {
        try {
          const d = await client.workflow.getHandle(runId).describe();
          if (d.status.name !== 'RUNNING') ended.push(runId);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) ended.push(runId);
          else throw err;
        }
      }
      return ended;
    },

    async startBufferedRun(start: BufferedRunStart): Promise<void> {
      const { startBuffered } = need();
      if (!startBuffered) throw ApplicationFailure.nonRetryable('this worker cannot start buffered runs', 'AdmissionUnavailable');
      try {
        await startBuffered(runProject(), start);
      } catch (err) {
        const kind = (err as { kind?: string }).kind;
        // Started already (a retry after a crash): done.
        if (isAlreadyStarted(err)) return;
        if (kind && REFUSALS.has(kind)) throw ApplicationFailure.nonRetryable((err as Error).message, 'BufferedRunRefused');
        throw err;
      }
    },
  };
}

export type AdmissionActivities = ReturnType<typeof createAdmissionActivities>;
