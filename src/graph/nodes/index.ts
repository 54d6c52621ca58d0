/**
 * The built-in node types' specs: what validation, the scheduler, the API
 * and the documentation know of each (src/graph/node-type.ts). Pure: no
 * Temporal, no I/O. Each type's executor is in workflows/nodes/, listed in
 * workflows/nodes/index.ts; a test checks both lists name the same types. A
 * new built-in type is one spec module here, one executor module there and
 * one line in each list.
 */
import type { DataSchema, NodeCatalog, NodeTypeSpec } from '../node-type';
import { activitySpec } from './activity';
import { approvalSpec } from './approval';
import { conditionSpec } from './condition';
import { customSpec } from './custom';
import { delaySpec } from './delay';
import { codeSpec } from './code';
import { failSpec } from './fail';
import { forEachSpec } from './for-each';
import { httpSpec } from './http';
import { mergeSpec } from './merge';
import { setSpec } from './set';
import { subworkflowSpec } from './subworkflow';
import { switchSpec } from './switch';
import { triggerSpec } from './trigger';
import { waitSpec } from './wait';

/** The built-in node types' specs, in palette order. */
export const BUILT_IN_SPECS: readonly NodeTypeSpec[] = [
  triggerSpec,
  httpSpec,
  conditionSpec,
  switchSpec,
  mergeSpec,
  delaySpec,
  setSpec,
  approvalSpec,
  waitSpec,
  activitySpec,
  subworkflowSpec,
  forEachSpec,
  failSpec,
  codeSpec,
];

/** The built-in specs by name. */
export const BUILT_IN_CATALOG: NodeCatalog = new Map(BUILT_IN_SPECS.map((t) => [t.type, t]));

export function isBuiltInType(type: string): boolean {
  return BUILT_IN_CATALOG.has(type);
}

/** The built-in specs and these custom types' (each with its data schema, as the API knows them). */
export function catalogWithCustom(custom: Iterable<{ type: string; data: DataSchema; description?: string }>): NodeCatalog {
  const types = new Map<string, NodeTypeSpec>(BUILT_IN_CATALOG);
  for (const t of custom) types.set(t.type, customSpec(t.type, t.data, t.description));
  return types;
}
