/**
 * `activity`: calls any Temporal activity by type on any task queue, so a
 * worker written in Go, Python, Java or TypeScript can serve a node.
 * `data.args` (an array, or an expression giving one) are its arguments; the
 * node's `retry` and `timeout` are the activity's retry policy and
 * start-to-close timeout. The output is the activity's result.
 */
import { patched } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { INTERNAL_ACTIVITY_TYPES } from '../../src/graph/internal-activities';
import { NodeFailure } from '../errors';
import { PATCHES } from '../patches';
import { activitySpec } from '../../src/graph/nodes/activity';
import type { Executor, NodeType } from './types';
import { describeValue } from './types';
import { redactSecrets } from '../../src/graph/secrets';

/**
 * An activity node never calls one of Braid's own activities (the API refuses
 * the definition; this holds for runs started any other way). Runs recorded
 * before the guard replay as they ran.
 */
export const INTERNAL_ACTIVITIES_PATCH = PATCHES.internalActivities.id;

const run: Executor = async (node, ctx) => {
  const type = String(node.data.activityType);
  if (INTERNAL_ACTIVITY_TYPES.has(type) && patched(INTERNAL_ACTIVITIES_PATCH)) {
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.activityType: "${type}" is one of Braid's own activities; an activity node cannot call it`);
  }
  const args = node.data.args === undefined ? [] : await ctx.evaluate(node.data.args, 'data.args');
  if (!Array.isArray(args)) {
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.args must be an array of the activity's arguments, got ${describeValue(args)}`);
  }
  const taskQueue = typeof node.data.taskQueue === 'string' ? node.data.taskQueue : ctx.run.taskQueue;
  // Code outside Braid never sees a placeholder (it carries the run's secret nonce): it gets `[secret]`.
  return ctx.dispatcher.call(node, type, taskQueue, redactSecrets(args));
};

export const activity: NodeType = { ...activitySpec, run };
