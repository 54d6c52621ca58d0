/** Temporal options for an activity node, built from its `retry` and `timeout`. */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { ActivityCancellationType } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../src/graph/failures';
import type { NodeSpec } from '../src/graph/graph';
import { LOCAL_DEFAULT_TIMEOUT } from '../src/graph/schema';

/** Defaults for activity nodes; a node's `retry` and `timeout` override them. */
export const ACTIVITY_DEFAULTS = {
  maximumAttempts: 3,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  startToCloseTimeout: '60s',
  heartbeatTimeout: '10s',
} as const;

function retryPolicy(node: NodeSpec) {
  const retry = node.retry ?? {};
  return {
    maximumAttempts: retry.maximumAttempts ?? ACTIVITY_DEFAULTS.maximumAttempts,
    initialInterval: retry.initialInterval ?? ACTIVITY_DEFAULTS.initialInterval,
    backoffCoefficient: retry.backoffCoefficient ?? ACTIVITY_DEFAULTS.backoffCoefficient,
    maximumInterval: retry.maximumInterval ?? ACTIVITY_DEFAULTS.maximumInterval,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  };
}

/** A remote activity: plain data, so a batch child can receive it as is. */
export function remoteActivityOptions(node: NodeSpec): ActivityOptions {
  return {
    activityId: node.id,
    summary: node.label ?? node.id,
    startToCloseTimeout: node.timeout ?? ACTIVITY_DEFAULTS.startToCloseTimeout,
    heartbeatTimeout: ACTIVITY_DEFAULTS.heartbeatTimeout,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: retryPolicy(node),
  };
}

/** A local activity: same retry policy; the timeout defaults to 30 s (validation caps it there). */
export function localActivityOptions(node: NodeSpec): LocalActivityOptions {
  return {
    summary: node.label ?? node.id,
    startToCloseTimeout: node.timeout ?? LOCAL_DEFAULT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: retryPolicy(node),
  };
}

/**
 * An `activity` node's activity, served by a worker that may not be Braid's:
 * no heartbeat timeout (it may never heartbeat), and a cancellation that does
 * not wait for an activity that may never learn of it.
 */
export function foreignActivityOptions(node: NodeSpec): ActivityOptions {
  const { heartbeatTimeout: _none, ...remote } = remoteActivityOptions(node);
  return { ...remote, cancellationType: ActivityCancellationType.TRY_CANCEL, retry: { ...retryPolicy(node), nonRetryableErrorTypes: [] } };
}
