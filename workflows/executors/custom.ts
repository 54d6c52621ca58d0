/**
 * A custom node type (src/node-types.ts): its data, expressions evaluated, goes
 * to the activity named after the type on Braid's task queue, where the
 * type's `run` checks it against its schema and runs. The node's `retry` and
 * `timeout` apply; the activity heartbeats, so cancellation reaches it.
 */
import type { Executor } from './types';

export const customNode: Executor = async (node, ctx) => {
  const data = await ctx.evaluate(node.data, 'data');
  return ctx.activities.call(node, node.type, ctx.run.taskQueue, [{ nodeId: node.id, runId: ctx.run.id, data }], 'braid');
};
