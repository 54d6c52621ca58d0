/**
 * A custom node type (src/node-types.ts) as a node type like the built-in
 * ones. Its data, expressions evaluated, goes to the activity named after the
 * type on Braid's task queue, where the type's `run` checks it against its
 * schema and runs. The node's `retry` and `timeout` apply; the activity
 * heartbeats, so cancellation reaches it.
 */
import { redactSecrets } from '../../src/graph/secrets';
import { isExpression } from '../../src/graph/expressions';
import type { DataSchema } from '../../src/graph/node-type';
import { PLAIN_HANDLES } from '../../src/graph/node-type';
import type { Executor, NodeType } from './types';

const run: Executor = async (node, ctx) => {
  const data = await ctx.evaluate(node.data, 'data');
  // A custom type's activity never sees a placeholder (it carries the run's secret nonce): it gets `[secret]`.
  return ctx.dispatcher.call(node, node.type, ctx.run.taskQueue, [{ nodeId: node.id, runId: ctx.run.id, data: redactSecrets(data) }], 'braid');
};

/** Accepts any data: the workflow's view of a custom type, whose data the API checked. */
const CHECKED_ALREADY: DataSchema = { safeParse: () => ({ success: true }) };

/** The value at `path` inside `value`, if any. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * The type's schema as validation uses it: a field written as an expression
 * is checked once evaluated, in the activity, so its problems here are not
 * problems yet.
 */
function allowingExpressions(schema: DataSchema): DataSchema {
  return {
    safeParse(data) {
      const result = schema.safeParse(data);
      if (result.success) return result;
      const issues = result.error.issues.filter((issue) => {
        const at = valueAt(data, issue.path);
        return !(typeof at === 'string' && isExpression(at));
      });
      return issues.length === 0 ? { success: true } : { success: false, error: { issues } };
    },
  };
}

/**
 * A custom node type by name; `schema` is its data schema (the API's view), or
 * absent when the data was checked already (the workflow's view).
 *
 * It takes no `maxParallel` slot, as before node types had descriptors:
 * counting it now would change what a running workflow records.
 */
export function customNodeType(type: string, schema?: DataSchema, description?: string): NodeType {
  return {
    type,
    label: type,
    description: description ?? `Custom node type "${type}" (BRAID_NODE_TYPES).`,
    category: 'action',
    data: schema ? allowingExpressions(schema) : CHECKED_ALREADY,
    handles: () => PLAIN_HANDLES,
    activitySlot: false,
    local: false,
    cacheable: true,
    run,
  };
}
