/**
 * GET /v1/node-types: every node type the API knows, built-in and custom
 * (BRAID_NODE_TYPES), as an editor needs it: label, description, category,
 * the JSON Schema of its `data` (generated from the same zod schema that
 * validates it), and its out-edge handles.
 */
import { z } from 'zod';
import type { NodeCatalog, NodeTypeSpec } from '../graph/node-type';
import type { NodeTypeRegistry } from '../node-types';

export interface NodeTypeView {
  type: string;
  label: string;
  description: string;
  category: string;
  /** From BRAID_NODE_TYPES. */
  custom: boolean;
  /** JSON Schema (draft 2020-12) of the node's `data` as written (before expressions are evaluated, for built-in types). */
  dataSchema: Record<string, unknown>;
  /** Its out-edge handles: `null` is a plain edge. Every node may also have an `error` edge (`onError: "branch"`). */
  handles: (string | null)[];
  /** Where further handles come from, when its data names them (a switch's cases). */
  handlesFromData?: string;
  /** Runs as an activity and takes a `maxParallel` slot. */
  activity: boolean;
  /** May run as a local activity (`execution: "local"`). */
  local: boolean;
  /** Takes a `cache` field. */
  cacheable: boolean;
  /** Its data holds source code: which field, and which field names its language. */
  sourceCode?: { field: string; languageField: string };
}

/** A zod schema's JSON Schema; `{ type: "object" }` when it is not a zod schema or cannot be expressed. */
export function jsonSchemaOf(schema: unknown): Record<string, unknown> {
  if (!(schema instanceof z.ZodType)) return { type: 'object' };
  try {
    const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch {
    return { type: 'object' };
  }
}

function viewOf(spec: NodeTypeSpec, custom: NodeTypeRegistry): NodeTypeView {
  const definition = custom.get(spec.type);
  const handles = spec.handles({}).map((h) => h ?? null);
  return {
    type: spec.type,
    label: spec.label,
    description: spec.description,
    category: spec.category,
    custom: definition !== undefined,
    dataSchema: jsonSchemaOf(definition ? definition.data : spec.data),
    handles,
    ...(spec.handlesFromData ? { handlesFromData: spec.handlesFromData } : {}),
    activity: spec.activitySlot,
    local: spec.local,
    cacheable: spec.cacheable === true,
    ...(spec.sourceCode ? { sourceCode: { ...spec.sourceCode } } : {}),
  };
}

/** Every type, built-in ones first in their own order, then custom ones by name. */
export function nodeTypeCatalog(types: NodeCatalog, custom: NodeTypeRegistry): NodeTypeView[] {
  const all = [...types.values()];
  const builtIn = all.filter((t) => !custom.has(t.type));
  const own = all.filter((t) => custom.has(t.type)).sort((a, b) => (a.type < b.type ? -1 : 1));
  return [...builtIn, ...own].map((t) => viewOf(t, custom));
}
