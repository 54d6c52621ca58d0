/**
 * Custom node types: add a node type to Braid without forking it.
 *
 *   // my-node-types.ts
 *   import { z } from 'zod';
 *   import { defineNodeType } from 'braid/src/node-types';
 *   export default [
 *     defineNodeType({
 *       type: 'slugify',
 *       description: 'Turns text into a URL slug',
 *       data: z.object({ text: z.string(), separator: z.string().max(1).default('-') }).strict(),
 *       run: async ({ text, separator }) => ({ slug: text.toLowerCase().replace(/[^a-z0-9]+/g, separator) }),
 *     }),
 *   ];
 *
 * `BRAID_NODE_TYPES=./my-node-types.ts` makes the API and the worker load the
 * file (both must: the API validates `data` and documents it in
 * /openapi.json, the worker runs it). A node of that type evaluates the
 * expressions in its `data`, checks it against the schema, and calls `run` as
 * a Temporal activity whose type is the node type, with the node's `retry`
 * and `timeout`. `run` may do I/O; it receives the node id, the run id, the
 * attempt and an AbortSignal that fires when the node is canceled.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { isBuiltInType } from './graph/nodes';

export interface NodeTypeContext {
  nodeId: string;
  runId: string;
  attempt: number;
  /** Fires when the node is canceled (failFast, run canceled, timeout). */
  signal: AbortSignal;
  /** Reports liveness (for long work); Temporal records the details of the last one. */
  heartbeat(details?: unknown): void;
}

export interface NodeTypeDefinition<S extends z.ZodType = z.ZodType> {
  /** The node `type`; also the activity type in Temporal's Web UI. */
  type: string;
  description?: string;
  /** The schema of the node's `data` (after expressions are evaluated). */
  data: S;
  run(data: z.output<S>, context: NodeTypeContext): Promise<unknown>;
}

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export class NodeTypeError extends Error {
  override readonly name = 'NodeTypeError';
}

export function defineNodeType<S extends z.ZodType>(definition: NodeTypeDefinition<S>): NodeTypeDefinition<S> {
  if (!TYPE_NAME.test(definition.type)) {
    throw new NodeTypeError(`node type "${definition.type}": a name starts with a letter and has letters, digits, "_" and "-" (at most 64)`);
  }
  if (isBuiltInType(definition.type)) throw new NodeTypeError(`node type "${definition.type}" is built in`);
  if (typeof definition.data?.safeParse !== 'function') throw new NodeTypeError(`node type "${definition.type}": data must be a zod schema`);
  if (typeof definition.run !== 'function') throw new NodeTypeError(`node type "${definition.type}": run must be a function`);
  return definition;
}

/** The custom node types by name. */
export type NodeTypeRegistry = ReadonlyMap<string, NodeTypeDefinition>;

/**
 * Loads the module at `path` (BRAID_NODE_TYPES): its default export, or its
 * `nodeTypes` export, is an array of defineNodeType() results.
 */
export async function loadNodeTypes(path: string | undefined): Promise<NodeTypeRegistry> {
  const registry = new Map<string, NodeTypeDefinition>();
  if (!path) return registry;
  let mod: { default?: unknown; nodeTypes?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as typeof mod;
  } catch (err) {
    throw new NodeTypeError(`cannot load BRAID_NODE_TYPES "${path}": ${(err as Error).message}`);
  }
  // A CommonJS module seen from ESM puts its exports under default.
  const exported = mod.nodeTypes ?? (mod.default as { nodeTypes?: unknown; default?: unknown } | undefined)?.nodeTypes ?? mod.default;
  const list = Array.isArray(exported)
    ? exported
    : Array.isArray((exported as { default?: unknown })?.default)
      ? (exported as { default: unknown[] }).default
      : undefined;
  if (!list) throw new NodeTypeError(`BRAID_NODE_TYPES "${path}" must export an array of node types (default or "nodeTypes")`);
  for (const item of list) {
    const def = defineNodeType(item as NodeTypeDefinition);
    if (registry.has(def.type)) throw new NodeTypeError(`node type "${def.type}" is defined twice in "${path}"`);
    registry.set(def.type, def);
  }
  return registry;
}
