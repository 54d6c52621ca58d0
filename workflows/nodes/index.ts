/**
 * The node types. Each is one module in this folder (its data schema, its
 * handles, how the scheduler treats it, its executor and its description);
 * a new type is one more module and one more line in the list below.
 */
import { activity } from './activity';
import { approval } from './approval';
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
import type { DataSchema } from '../../src/graph/node-type';
import type { NodeType } from './types';
import { wait } from './wait';

/** The built-in node types. */
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
];

/** The node types of a run, by name. */
export type NodeTypes = ReadonlyMap<string, NodeType>;

/** The built-in node types by name. */
export const BUILT_IN: NodeTypes = new Map(BUILT_IN_NODE_TYPES.map((t) => [t.type, t]));

export function isBuiltInType(type: string): boolean {
  return BUILT_IN.has(type);
}

/** The built-in types and these custom ones (each with its data schema, as the API knows them). */
export function withCustomTypes(custom: Iterable<{ type: string; data: DataSchema; description?: string }>): NodeTypes {
  const types = new Map<string, NodeType>(BUILT_IN);
  for (const t of custom) types.set(t.type, customNodeType(t.type, t.data, t.description));
  return types;
}

/** The built-in types and custom ones known by name only, their data checked by the API already (the workflow's view). */
export function checkedNodeTypes(names: readonly string[] | undefined): NodeTypes {
  if (!names || names.length === 0) return BUILT_IN;
  const types = new Map<string, NodeType>(BUILT_IN);
  for (const name of names) types.set(name, customNodeType(name));
  return types;
}

export type { Executor, ExecutorContext, NodeBinding, NodeResult, NodeType } from './types';
