/**
 * Why earlier attempts failed (activities/retry-record.ts): a failing attempt
 * leaves its error type in its heartbeat details, the next attempt reads them
 * and reports them with its result; an attempt that left nothing was a
 * timeout; details a worker did not write are bounded, never trusted whole.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { RetryRecord } from '../../activities/retry-record';
import { earlierFailures } from '../../activities/retry-record';
import { withAttempt } from '../../activities';

function attemptEnv(attempt: number, heartbeatDetails?: unknown) {
  const env = new MockActivityEnvironment({ attempt, heartbeatDetails });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  return { env, beats };
}

/** An http-like activity that fails with `failure`, and what it left for the next attempt through the worker client. */
function failingWith(failure: ApplicationFailure) {
  const recorded: RetryRecord[] = [];
  const activity = withAttempt(
    async () => {
      throw failure;
    },
    async (_token, record) => {
      recorded.push(record);
    },
  );
  return { activity, recorded };
}

describe('the record of earlier attempts', () => {
  it('reports the earlier attempts with a success, a silent one as TimeoutFailure', async () => {
    const { env } = attemptEnv(3, { retries: ['HttpServerError'] });
    const result = await env.run(
      withAttempt(async () => 'ok'),
      {},
    );
    expect(result).toMatchObject({ output: 'ok', attempt: 3, retries: ['HttpServerError', 'TimeoutFailure'] });
    const first = await attemptEnv(1).env.run(
      withAttempt(async () => 'ok'),
      {},
    );
    expect(first).not.toHaveProperty('retries');
  });

  it('leaves a retryable failure for the next attempt, through the worker client and the heartbeat, and in its details', async () => {
    const { env, beats } = attemptEnv(2, { retries: ['HttpNetworkError'] });
    const { activity, recorded } = failingWith(ApplicationFailure.retryable('503', 'HttpServerError'));
    const err = (await env.run(activity, {}).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err.type).toBe('HttpServerError');
    expect(err.details?.[0]).toMatchObject({ attempt: 2, retries: ['HttpNetworkError'] });
    expect(recorded).toEqual([{ retries: ['HttpNetworkError', 'HttpServerError'] }]);
    expect(beats).toEqual([{ retries: ['HttpNetworkError', 'HttpServerError'] }]);
  });

  it('records nothing for a failure that will not be retried', async () => {
    const { env, beats } = attemptEnv(1);
    const { activity, recorded } = failingWith(ApplicationFailure.nonRetryable('bad request', 'HttpClientError'));
    await expect(env.run(activity, {})).rejects.toMatchObject({ type: 'HttpClientError' });
    expect(recorded).toEqual([]);
    expect(beats).toEqual([]);
  });

  it('bounds details it did not write: one entry per earlier attempt, strings of at most 100 characters', () => {
    expect(earlierFailures({ retries: Array.from({ length: 10_000 }, () => 'x') }, 3)).toEqual(['x', 'x']);
    expect(earlierFailures({ retries: ['y'.repeat(10_000), { type: 'z' }] }, 3)).toEqual(['y'.repeat(100), 'TimeoutFailure']);
    expect(earlierFailures('not a record', 2)).toEqual(['TimeoutFailure']);
    expect(earlierFailures({ retries: 'HttpServerError' }, 2)).toEqual(['TimeoutFailure']);
    expect(earlierFailures(null, 1)).toEqual([]);
  });
});
