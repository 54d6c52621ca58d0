/**
 * A custom node type (src/node-types.ts) as a spec like the built-in ones
 * (executor: workflows/nodes/custom.ts). Its data, expressions evaluated,
 * goes to the activity named after the type on Braid's task queue.
 */
import { isExpression } from '../expressions';
import type { DataSchema, NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';

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
export function customSpec(type: string, schema?: DataSchema, description?: string): NodeTypeSpec {
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
  };
}
