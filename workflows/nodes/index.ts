/**
 * The node types as the interpreter runs them: each built-in type's spec
 * (src/graph/nodes/) with its executor, one module per type in this folder.
 * A new type is one more spec there, one more executor here and one more
 * line in each list; test/workflows/nodes/registry.test.ts checks the two
 * lists name the same types.
 */
import { activity } from './activity';
import { approval } from './approval';
import { code } from './code';
import { condition } from './condition';
import { customNodeType } from './custom';
import { delay } from './delay';
import { fail } from './fail';
import { forEach } from './for-each';
import { http } from './http';
import { merge } from './merge';
import { set } from './set';
import { subworkflow } from './subworkflow';
import { switchNode } from './switch';
import { trigger } from './trigger';
import type { NodeType } from './types';
import { wait } from './wait';

/** The built-in node types with their executors. */
export const BUILT_IN_NODE_TYPES: readonly NodeType[] = [
  trigger,
  http,
  condition,
  switchNode,
  merge,
  delay,
  set,
  approval,
  wait,
  activity,
  subworkflow,
  forEach,
  fail,
  code,
];

/** The node types of a run, by name. */
export type NodeTypes = ReadonlyMap<string, NodeType>;

/** The built-in node types by name. */
export const BUILT_IN: NodeTypes = new Map(BUILT_IN_NODE_TYPES.map((t) => [t.type, t]));

/** The built-in types and custom ones known by name only, their data checked by the API already (the workflow's view). */
export function checkedNodeTypes(names: readonly string[] | undefined): NodeTypes {
  if (!names || names.length === 0) return BUILT_IN;
  const types = new Map<string, NodeType>(BUILT_IN);
  for (const name of names) types.set(name, customNodeType(name));
  return types;
}

export type { Executor, ExecutorContext, NodeBinding, NodeResult, NodeType } from './types';
