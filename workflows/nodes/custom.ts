/**
 * A custom node type's executor (spec: src/graph/nodes/custom.ts). Its data,
 * expressions evaluated, goes to the activity named after the type on Braid's
 * task queue, where the type's `run` checks it against its schema and runs.
 * The node's `retry` and `timeout` apply; the activity heartbeats, so
 * cancellation reaches it.
 */
import { redactSecrets } from '../../src/graph/secrets';
import type { DataSchema } from '../../src/graph/node-type';
import { customSpec } from '../../src/graph/nodes/custom';
import type { Executor, NodeType } from './types';

const run: Executor = async (node, ctx) => {
  const data = await ctx.evaluate(node.data, 'data');
  // A custom type's activity never sees a placeholder (it carries the run's secret nonce): it gets `[secret]`.
  return ctx.dispatcher.call(node, node.type, ctx.run.taskQueue, [{ nodeId: node.id, runId: ctx.run.id, data: redactSecrets(data) }], 'braid');
};

/** A custom node type by name, as the workflow runs it (see customSpec). */
export function customNodeType(type: string, schema?: DataSchema, description?: string): NodeType {
  return { ...customSpec(type, schema, description), run };
}
