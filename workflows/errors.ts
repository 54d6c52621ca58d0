/**
 * Turns whatever a node threw into a NodeError. The one place that unwraps
 * `ActivityFailure.cause`.
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import type { NodeError, RunState } from '../src/graph/run-state';
import { ExpressionError } from '../src/graph/expressions';
import { FAILURE_TYPES } from '../src/graph/failures';

export function toNodeError(err: unknown): NodeError {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0];
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      retryable: !cause.nonRetryable,
      ...(details === undefined ? {} : { details }),
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { type: 'TimeoutFailure', message: `timed out (${cause.timeoutType})`, retryable: true };
  }
  if (cause instanceof CancelledFailure || isCancellation(err)) {
    return { type: 'CancelledFailure', message: 'canceled', retryable: false };
  }
  if (cause instanceof ExpressionError) {
    return { type: FAILURE_TYPES.expression, message: cause.message, retryable: false, details: { code: cause.code } };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: cause instanceof Error ? cause.name : 'Error', message, retryable: false };
}

/**
 * How a graph run failed, as a NodeError: a RunFailed failure carries the
 * run's whole state, of which only the failed nodes are kept.
 */
export function runFailureError(err: unknown): NodeError {
  if (err instanceof ApplicationFailure && err.type === FAILURE_TYPES.runFailed) {
    const failedNodes = (err.details?.[0] as RunState | undefined)?.error?.failedNodes;
    return { type: FAILURE_TYPES.runFailed, message: err.message, ...(failedNodes ? { details: { failedNodes } } : {}) };
  }
  return toNodeError(err);
}

/** A node failure raised inside the workflow (bad data, expression errors). */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
  constructor(
    readonly type: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function nodeFailureToError(err: NodeFailure): NodeError {
  return { type: err.type, message: err.message, retryable: false, ...(err.details === undefined ? {} : { details: err.details }) };
}

/** A node's failure reported by a batch child, already as a NodeError. */
export class BatchedNodeFailure extends Error {
  override readonly name = 'BatchedNodeFailure';
  constructor(
    readonly error: NodeError,
    readonly cancelled: boolean,
  ) {
    super(error.message);
  }
}
