/**
 * A bulk operation (POST /v1/runs/bulk): redrive or cancel a list of runs,
 * a few at a time and at a bounded rate, as a workflow of its own so it
 * survives restarts of the API and the workers (Temporal's batch operations
 * do the same for signals and cancellations; a redrive needs Braid's logic,
 * so an activity does each one). Progress is a query; the result is the
 * same progress when it ends. A run that cannot be handled is counted as
 * failed with its reason, never stops the rest.
 */
import { ApplicationFailure, proxyActivities, setHandler, sleep, defineQuery } from '@temporalio/workflow';
import type { BulkActivities } from '../activities/bulk';
import type { BulkOperationInput, BulkProgress } from '../src/graph/run-state';
import { BULK_PROGRESS_QUERY } from '../src/graph/run-state';

export const bulkProgressQuery = defineQuery<BulkProgress>(BULK_PROGRESS_QUERY);

const { bulkApply } = proxyActivities<BulkActivities>({
  startToCloseTimeout: '1m',
  // Temporal or the database away for a while: keep trying; a refusal (409, 404) is not retried.
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['BulkRefused'] },
});

export async function bulkOperationWorkflow(input: BulkOperationInput): Promise<BulkProgress> {
  const progress: BulkProgress = { action: input.action, total: input.runIds.length, done: 0, failed: 0, runIds: [], failures: [] };
  setHandler(bulkProgressQuery, () => progress);
  const concurrency = Math.max(1, input.concurrency ?? 5);
  const waveMs = Math.ceil((1000 * concurrency) / Math.max(1, input.perSecond ?? 10));
  for (let i = 0; i < input.runIds.length; i += concurrency) {
    const started = Date.now();
    await Promise.all(
      input.runIds.slice(i, i + concurrency).map((runId) =>
        bulkApply({ action: input.action, runId }).then(
          (r) => {
            progress.done++;
            progress.runIds.push(r.runId);
          },
          (err: unknown) => {
            progress.done++;
            progress.failed++;
            const cause = (err as { cause?: unknown }).cause;
            progress.failures.push({ runId, message: cause instanceof ApplicationFailure ? cause.message : (err as Error).message });
          },
        ),
      ),
    );
    const rest = waveMs - (Date.now() - started);
    if (rest > 0 && i + concurrency < input.runIds.length) await sleep(rest);
  }
  return progress;
}
