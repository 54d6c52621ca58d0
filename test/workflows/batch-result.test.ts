/** A batch child's result always fits Temporal's payload limit (pure part of nodeBatchWorkflow). */
import { describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../../workflows/node-batch-workflow';
import { BATCH_RESULT_BUDGET, fitBatchResult, OMITTED_OUTPUT } from '../../workflows/node-batch-workflow';

const ok = (nodeId: string, bytes: number): BatchOutcome => ({
  nodeId,
  ok: true,
  result: { output: { status: 200, headers: {}, body: 'x'.repeat(bytes) }, attempt: 1, queuedMs: 1, runMs: 5 },
});

describe('fitBatchResult', () => {
  it('leaves a result under the budget as it is', () => {
    const outcomes = [ok('a', 1000), ok('b', 2000)];
    expect(fitBatchResult(outcomes)).toBe(outcomes);
  });

  it('replaces the largest outputs until the result fits, keeping attempts and timing', () => {
    // 12 × 200 KB = 2.4 MB of outputs, over the 1.5 MB budget.
    const outcomes = Array.from({ length: 12 }, (_, i) => ok(`n${i}`, i === 3 ? 400_000 : 200_000));
    const fitted = fitBatchResult(outcomes);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(BATCH_RESULT_BUDGET);
    const omitted = fitted.filter((o) => o.ok && o.result.output === OMITTED_OUTPUT);
    expect(omitted.length).toBeGreaterThan(0);
    expect(omitted.length).toBeLessThan(12);
    // The largest goes first.
    const n3 = fitted[3]!;
    expect(n3.ok && n3.result.output).toBe(OMITTED_OUTPUT);
    for (const o of fitted) expect(o.ok && o.result.attempt).toBe(1);
    expect(fitted.map((o) => o.nodeId)).toEqual(outcomes.map((o) => o.nodeId));
  });

  it('never touches failures', () => {
    const failed: BatchOutcome = { nodeId: 'f', ok: false, error: { type: 'HttpServerError', message: 'x'.repeat(10) }, cancelled: false };
    const fitted = fitBatchResult([failed, ...Array.from({ length: 10 }, (_, i) => ok(`n${i}`, 200_000))]);
    expect(fitted[0]).toBe(failed);
  });
});
