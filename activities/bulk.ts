/**
 * The one activity of a bulk operation (workflows/bulk-operation-workflow.ts):
 * redrive, cancel, pause or resume one run, through the same code the API uses (the worker
 * builds it: src/worker.ts). A refusal (the run is gone, still running,
 * already finished) fails for good as BulkRefused; anything else is retried.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { BulkAction } from '../src/graph/run-state';

export interface BulkTarget {
  /** Starts a redrive of the run; the new run's id. */
  redrive(runId: string): Promise<string>;
  cancel(runId: string): Promise<void>;
  pause(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
}

/** Errors that say the run cannot be handled (an BraidError's kind), not that something is away. */
const REFUSALS = new Set(['notFound', 'conflict', 'validation']);

export function createBulkActivities(target: BulkTarget | undefined) {
  return {
    async bulkApply({ action, runId }: { action: BulkAction; runId: string }): Promise<{ runId: string }> {
      if (!target) throw ApplicationFailure.nonRetryable('this worker cannot run bulk operations', 'BulkRefused');
      try {
        if (action === 'redrive') return { runId: await target.redrive(runId) };
        await target[action](runId);
        return { runId };
      } catch (err) {
        const kind = (err as { kind?: string }).kind;
        if (kind && REFUSALS.has(kind)) throw ApplicationFailure.nonRetryable((err as Error).message, 'BulkRefused');
        throw err;
      }
    },
  };
}

export type BulkActivities = ReturnType<typeof createBulkActivities>;
