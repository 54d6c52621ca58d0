/**
 * The editor's document and the definition the API takes, one from the other.
 * Pure: no React, no DOM, so the round trip is unit-tested
 * (test/ui/editor-model.test.ts).
 *
 * A React Flow node carries its Braid node, as defined, in `data.node`
 * (without `id` and `position`, which React Flow keeps itself). Everything
 * else the definition holds — keys Braid does not know included — is kept, so
 * importing and exporting a graph changes nothing but what was edited.
 */
import type { Edge, Node } from '@xyflow/react';
import type { z } from 'zod';
import type { nodeTypeListSchema } from '../../../api/schemas';

export type NodeTypeView = z.infer<typeof nodeTypeListSchema>['nodeTypes'][number];

/** A Braid node as defined, less what React Flow holds (`id`, `position`). */
export interface DefinedNode {
  type: string;
  label?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BraidNodeData extends Record<string, unknown> {
  node: DefinedNode;
}

export type FlowNode = Node<BraidNodeData, 'braid'>;
export type FlowEdge = Edge;

/** The graph's own fields: name, settings, and any other top-level key as it came. */
export interface GraphMeta {
  name: string;
  settings: Record<string, unknown>;
  rest: Record<string, unknown>;
}

export interface EditorDocument {
  nodes: FlowNode[];
  edges: FlowEdge[];
  meta: GraphMeta;
}

export interface Definition {
  name?: string;
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
  settings?: Record<string, unknown>;
  [key: string]: unknown;
}

export const EMPTY_DOCUMENT: EditorDocument = { nodes: [], edges: [], meta: { name: '', settings: {}, rest: {} } };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function positionOf(value: unknown): { x: number; y: number } | undefined {
  if (!isRecord(value) || typeof value.x !== 'number' || typeof value.y !== 'number') return undefined;
  return { x: value.x, y: value.y };
}

/** Whether every node of a definition (as given: imported, saved) has a position; else the editor lays it out. */
export function hasLayout(def: unknown): boolean {
  if (!isRecord(def) || !Array.isArray(def.nodes)) return false;
  return def.nodes.length > 0 && def.nodes.every((n: unknown) => isRecord(n) && positionOf(n.position) !== undefined);
}

/** A definition (as the API takes it) as the editor's document. Throws on what is not a graph at all. */
export function toDocument(value: unknown): EditorDocument {
  if (!isRecord(value) || !Array.isArray(value.nodes)) throw new Error('not a workflow definition: it needs a "nodes" array');
  const { nodes, edges, name, settings, ...rest } = value;
  if (edges !== undefined && !Array.isArray(edges)) throw new Error('"edges" must be an array');
  const flowNodes = (nodes as unknown[]).map((raw, i): FlowNode => {
    if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.type !== 'string') throw new Error(`nodes[${i}] needs a string "id" and "type"`);
    const { id, position, ...node } = raw;
    return { id, type: 'braid', position: positionOf(position) ?? { x: 0, y: 0 }, data: { node: node as DefinedNode } };
  });
  const flowEdges = ((edges ?? []) as unknown[]).map((raw, i): FlowEdge => {
    if (!isRecord(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') throw new Error(`edges[${i}] needs a string "source" and "target"`);
    const { id, source, target, sourceHandle, ...edgeRest } = raw;
    return {
      ...edgeRest,
      id: typeof id === 'string' ? id : edgeId(source, target, typeof sourceHandle === 'string' ? sourceHandle : null),
      source,
      target,
      sourceHandle: typeof sourceHandle === 'string' ? sourceHandle : null,
      ...(typeof id === 'string' ? {} : { data: { generatedId: true } }),
    };
  });
  return {
    nodes: flowNodes,
    edges: flowEdges,
    meta: { name: typeof name === 'string' ? name : '', settings: isRecord(settings) ? settings : {}, rest },
  };
}

/** The document as the definition the API takes; positions rounded to whole pixels so a round trip is stable. */
export function toDefinition(doc: EditorDocument): Definition {
  const def: Definition = {
    ...doc.meta.rest,
    ...(doc.meta.name ? { name: doc.meta.name } : {}),
    nodes: doc.nodes.map((n) => ({ id: n.id, ...n.data.node, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: doc.edges.map((e) => ({
      ...(e.data?.generatedId ? {} : { id: e.id }),
      source: e.source,
      target: e.target,
      ...(e.sourceHandle ? { sourceHandle: e.sourceHandle } : {}),
    })),
  };
  if (Object.keys(doc.meta.settings).length > 0) def.settings = doc.meta.settings;
  return def;
}

export function edgeId(source: string, target: string, handle: string | null | undefined): string {
  return `${source}${handle ? `:${handle}` : ''}->${target}`;
}

/** A fresh node id for a type: the type itself (made a valid id), then `<type>-2`, `<type>-3`, … */
export function newNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 56) || 'node';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The data a new node of a type starts with: required fields that have an obvious empty value. */
export function initialData(view: NodeTypeView | undefined): Record<string, unknown> {
  const schema = view?.dataSchema as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  const data: Record<string, unknown> = {};
  for (const key of schema?.required ?? []) {
    const prop = schema?.properties?.[key];
    if (prop && 'default' in prop) data[key] = prop.default;
  }
  return data;
}

/**
 * A node's out-edge handles: its type's (`null` is the plain edge), a
 * switch's cases, and `error` when it branches on failure.
 */
export function handlesOf(view: NodeTypeView | undefined, node: DefinedNode): (string | null)[] {
  const handles: (string | null)[] = [...(view?.handles ?? [null])];
  if (view?.handlesFromData === 'data.cases[].handle' && Array.isArray(node.data?.cases)) {
    const cases = (node.data.cases as unknown[]).map((c) => (isRecord(c) && typeof c.handle === 'string' ? c.handle : undefined));
    handles.unshift(...cases.filter((h): h is string => !!h && !handles.includes(h)));
  }
  if (node.onError === 'branch' && !handles.includes('error')) handles.push('error');
  return handles;
}

/** Triggers take no in-edges. */
export const takesInput = (view: NodeTypeView | undefined) => view?.category !== 'trigger';

/** A problem the API reported, placed: on a node (and one of its fields), on an edge, or on the graph. */
export interface FieldProblem {
  /** Path inside the node, edge or graph (`data.url`, `retry.maximumAttempts`, `settings.priority`); '' for the whole. */
  field: string;
  message: string;
  /** A code node's syntax error: where in its code (1-based). */
  line?: number;
  column?: number;
}

export interface PlacedProblems {
  nodes: Map<string, FieldProblem[]>;
  edges: Map<string, FieldProblem[]>;
  graph: FieldProblem[];
  count: number;
}

const ITEM_PATH = /^\$\.(nodes|edges)\[(\d+)\]\.?(.*)$/;

/** Places the API's problems (`$.nodes[1].data.url`) on the document's nodes and edges, by the definition that was sent. */
export function placeProblems(errors: readonly { path: string; message: string; line?: number; column?: number }[], sent: Definition): PlacedProblems {
  const placed: PlacedProblems = { nodes: new Map(), edges: new Map(), graph: [], count: errors.length };
  const add = (map: Map<string, FieldProblem[]>, key: string, p: FieldProblem) => map.set(key, [...(map.get(key) ?? []), p]);
  for (const { path, message, line, column } of errors) {
    const m = ITEM_PATH.exec(path);
    if (m) {
      const [, kind, index, field = ''] = m;
      const item = (kind === 'nodes' ? sent.nodes : sent.edges)[Number(index)];
      if (kind === 'nodes' && typeof item?.id === 'string') {
        add(placed.nodes, item.id, { field, message, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) });
        continue;
      }
      if (kind === 'edges' && item) {
        add(placed.edges, typeof item.id === 'string' ? item.id : edgeId(String(item.source), String(item.target), item.sourceHandle as string | undefined), {
          field,
          message,
        });
        continue;
      }
    }
    placed.graph.push({ field: path.replace(/^\$\.?/, ''), message });
  }
  return placed;
}

export const NO_PROBLEMS: PlacedProblems = { nodes: new Map(), edges: new Map(), graph: [], count: 0 };

/** Renames a node: its id and every edge that names it. */
export function renameNode(doc: EditorDocument, from: string, to: string): EditorDocument {
  const swap = (id: string) => (id === from ? to : id);
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
    edges: doc.edges.map((e) => (e.source === from || e.target === from ? { ...e, source: swap(e.source), target: swap(e.target) } : e)),
  };
}

/** Sets (or with `undefined`, removes) a key of a node's definition; `path` is `data.url`, `timeout`, … */
export function setNodeField(doc: EditorDocument, id: string, path: string, value: unknown): EditorDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, node: setIn(n.data.node, path, value) as DefinedNode } } : n)),
  };
}

/** A copy of `target` with the key at a dotted `path` set, or removed with `undefined` (emptied objects go too). */
export function setIn(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  return setPath(target, path.split('.'), value);
}

function setPath(target: Record<string, unknown>, [key, ...rest]: string[], value: unknown): Record<string, unknown> {
  const copy = { ...target };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key!];
    else copy[key!] = value;
    return copy;
  }
  const child = setPath(isRecord(copy[key!]) ? (copy[key!] as Record<string, unknown>) : {}, rest, value);
  if (Object.keys(child).length === 0) delete copy[key!];
  else copy[key!] = child;
  return copy;
}
