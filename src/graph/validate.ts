/**
 * Validation of a definition: collects every problem, each with a JSON path, so
 * an editor can mark them all at once. Pure: shared by the API and the workflow.
 *
 * Order of checks: size, top-level shape, then each node and edge on its own
 * (a bad node does not hide problems in the others), then the graph as a whole
 * (triggers, cycles, reachability) over the nodes and edges that passed.
 */
import { compileExpression, ExpressionError, findExpressions } from './expressions';
import type { Graph } from './graph';
import { buildGraph, topologicalOrder } from './graph';
import { localExecutionProblems } from './local-execution';
import type { NodeCatalog, NodeTypeSpec } from './node-type';
import { PLAIN_HANDLES, TRIGGER_TYPE } from './node-type';
import type { GraphEdge, GraphNode } from './schema';
import { edgeSchema, ERROR_HANDLE, LIMITS, nodeSchema, settingsSchema } from './schema';

/** Kinds of validation problem; the `code` of each issue. */
export const ISSUE_CODES = {
  invalidShape: 'invalid_shape',
  tooLarge: 'too_large',
  duplicateId: 'duplicate_id',
  unknownType: 'unknown_type',
  invalidData: 'invalid_data',
  invalidExpression: 'invalid_expression',
  unknownNode: 'unknown_node',
  invalidHandle: 'invalid_handle',
  duplicateEdge: 'duplicate_edge',
  noTrigger: 'no_trigger',
  triggerHasIncoming: 'trigger_has_incoming',
  cycle: 'cycle',
  unreachable: 'unreachable',
  localExecution: 'local_execution',
} as const;
export type IssueCode = (typeof ISSUE_CODES)[keyof typeof ISSUE_CODES];

export interface ValidationIssue {
  code: IssueCode;
  /** JSON path into the definition, e.g. `$.nodes[2].data.url`. */
  path: string;
  nodeId?: string;
  message: string;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  triggers: number;
  /** Nodes on the longest path from a trigger, counting both ends. */
  maxDepth: number;
}

export type ValidationResult =
  | { ok: true; graph: Graph; stats: GraphStats }
  | { ok: false; issues: ValidationIssue[] };

/** Thrown by {@link assertValid}; carries every issue. */
export class GraphValidationError extends Error {
  override readonly name = 'GraphValidationError';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid workflow definition: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
  }
}

const MAX_REPORTED_CYCLES = 10;

/** Deepest nesting of objects and arrays accepted in node data and run input. */
export const MAX_NESTING = 64;

/** Whether `value` nests objects/arrays deeper than `max` levels. Iterative: safe on hostile input. */
export function exceedsNesting(value: unknown, max: number = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** `$.a[1].b` from `['a', 1, 'b']`; keys that are not identifiers are quoted. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

function zodIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, base: PropertyKey[], code: IssueCode, nodeId?: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    code,
    path: formatPath([...base, ...issue.path]),
    ...(nodeId === undefined ? {} : { nodeId }),
    message: issue.message,
  }));
}

/** UTF-8 byte length of a string, without TextEncoder (not in every sandbox). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The source handles a node of `type` may use; `undefined` stands for a plain edge. */
function allowedHandles(node: GraphNode, type: NodeTypeSpec | undefined): { handles: Set<string | undefined>; describe: string } {
  const handles = new Set<string | undefined>(type ? type.handles(node.data ?? {}) : PLAIN_HANDLES);
  if (node.onError === 'branch') handles.add(ERROR_HANDLE);
  const names = [...handles].map((h) => (h === undefined ? 'none' : `"${h}"`));
  return { handles, describe: names.join(', ') };
}

/**
 * Every problem of `input` as a workflow whose nodes are of the `types` given
 * (workflows/nodes: the built-in ones, with or without custom ones), or the
 * indexed graph.
 */
export function validateDefinition(input: unknown, types: NodeCatalog): ValidationResult {
  const issues: ValidationIssue[] = [];
  if (!isRecord(input)) {
    return { ok: false, issues: [{ code: ISSUE_CODES.invalidShape, path: '$', message: 'definition must be a JSON object' }] };
  }
  if (exceedsNesting(input, MAX_NESTING + 4)) {
    return { ok: false, issues: [{ code: ISSUE_CODES.tooLarge, path: '$', message: `definition nests deeper than ${MAX_NESTING} levels` }] };
  }
  let size: number;
  try {
    size = utf8Length(JSON.stringify(input));
  } catch {
    return { ok: false, issues: [{ code: ISSUE_CODES.invalidShape, path: '$', message: 'definition must be JSON' }] };
  }
  if (size > LIMITS.maxDefinitionBytes) {
    issues.push({
      code: ISSUE_CODES.tooLarge,
      path: '$',
      message: `definition is ${size} bytes; the limit is ${LIMITS.maxDefinitionBytes}`,
    });
  }

  // Top level: nodes and edges must be arrays within limits; settings well formed.
  const rawNodes = input.nodes;
  const rawEdges = input.edges ?? [];
  if (!Array.isArray(rawNodes)) {
    issues.push({ code: ISSUE_CODES.invalidShape, path: '$.nodes', message: 'must be an array of nodes' });
  } else if (rawNodes.length > LIMITS.maxNodes) {
    issues.push({ code: ISSUE_CODES.tooLarge, path: '$.nodes', message: `must have at most ${LIMITS.maxNodes} nodes` });
  }
  if (!Array.isArray(rawEdges)) {
    issues.push({ code: ISSUE_CODES.invalidShape, path: '$.edges', message: 'must be an array of edges' });
  } else if (rawEdges.length > LIMITS.maxEdges) {
    issues.push({ code: ISSUE_CODES.tooLarge, path: '$.edges', message: `must have at most ${LIMITS.maxEdges} edges` });
  }
  if (input.name !== undefined && (typeof input.name !== 'string' || input.name.length === 0 || input.name.length > 200)) {
    issues.push({ code: ISSUE_CODES.invalidShape, path: '$.name', message: 'must be a string of 1 to 200 characters' });
  }
  if (
    input.version !== undefined &&
    !(typeof input.version === 'number' || (typeof input.version === 'string' && input.version.length <= 64))
  ) {
    issues.push({ code: ISSUE_CODES.invalidShape, path: '$.version', message: 'must be a string or a number' });
  }
  const settings = settingsSchema.safeParse(input.settings ?? {});
  if (!settings.success) issues.push(...zodIssues(settings.error, ['settings'], ISSUE_CODES.invalidShape));
  if (issues.some((i) => i.code === ISSUE_CODES.tooLarge) || !Array.isArray(rawNodes) || !Array.isArray(rawEdges)) {
    return { ok: false, issues };
  }

  // Nodes, each on its own.
  const nodes: GraphNode[] = [];
  const typeOf = new Map<string, NodeTypeSpec>();
  const nodeIndexById = new Map<string, number>();
  rawNodes.forEach((raw, i) => {
    const parsed = nodeSchema.safeParse(raw);
    const rawId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, ['nodes', i], ISSUE_CODES.invalidShape, rawId));
      return;
    }
    const node = parsed.data;
    if (nodeIndexById.has(node.id)) {
      issues.push({
        code: ISSUE_CODES.duplicateId,
        path: formatPath(['nodes', i, 'id']),
        nodeId: node.id,
        message: `duplicate node id "${node.id}" (first used by nodes[${nodeIndexById.get(node.id)}])`,
      });
      return;
    }
    nodeIndexById.set(node.id, i);
    nodes.push(node);
    const type = types.get(node.type);
    if (!type) {
      issues.push({
        code: ISSUE_CODES.unknownType,
        path: formatPath(['nodes', i, 'type']),
        nodeId: node.id,
        message: `unknown node type "${node.type}"; known types: ${[...types.keys()].join(', ')}`,
      });
      return;
    }
    typeOf.set(node.id, type);
    const data = type.data.safeParse(node.data ?? {});
    if (!data.success) {
      issues.push(...zodIssues(data.error, ['nodes', i, 'data'], ISSUE_CODES.invalidData, node.id));
    } else if (type.inlineGraph && node.data?.[type.inlineGraph.field] !== undefined) {
      issues.push(...inlineGraphIssues(node, i, type, types));
    }
    for (const p of localExecutionProblems(node, settings.success ? settings.data?.execution : undefined, types)) {
      issues.push({ code: ISSUE_CODES.localExecution, path: formatPath(['nodes', i, ...p.path]), nodeId: node.id, message: p.message });
    }
    // An inline graph's expressions were checked with it, and run in the child.
    const inlineField = type.inlineGraph?.field;
    for (const found of findExpressions(inlineField ? { ...node.data, [inlineField]: undefined } : (node.data ?? {}))) {
      try {
        compileExpression(found.text);
      } catch (err) {
        const message = err instanceof ExpressionError ? err.message : String(err);
        issues.push({
          code: ISSUE_CODES.invalidExpression,
          path: formatPath(['nodes', i, 'data', ...found.path]),
          nodeId: node.id,
          message: `expression does not compile: ${message}`,
        });
      }
    }
  });
  const validIds = new Map(nodes.map((n) => [n.id, n]));

  // Edges, each on its own.
  const edges: GraphEdge[] = [];
  const edgeRawIndex: number[] = [];
  const edgeIds = new Map<string, number>();
  rawEdges.forEach((raw, i) => {
    const parsed = edgeSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, ['edges', i], ISSUE_CODES.invalidShape));
      return;
    }
    const edge = parsed.data;
    if (edge.id !== undefined) {
      if (edgeIds.has(edge.id)) {
        issues.push({
          code: ISSUE_CODES.duplicateEdge,
          path: formatPath(['edges', i, 'id']),
          message: `duplicate edge id "${edge.id}" (first used by edges[${edgeIds.get(edge.id)}])`,
        });
      } else edgeIds.set(edge.id, i);
    }
    for (const end of ['source', 'target'] as const) {
      if (!nodeIndexById.has(edge[end])) {
        issues.push({
          code: ISSUE_CODES.unknownNode,
          path: formatPath(['edges', i, end]),
          message: `${end} "${edge[end]}" is not a node id`,
        });
      }
    }
    const source = validIds.get(edge.source);
    if (source) {
      const { handles, describe } = allowedHandles(source, typeOf.get(source.id));
      const handle = edge.sourceHandle ?? undefined;
      if (!handles.has(handle)) {
        issues.push({
          code: ISSUE_CODES.invalidHandle,
          path: formatPath(['edges', i, 'sourceHandle']),
          nodeId: source.id,
          message: `${source.type} node "${source.id}" has no handle ${handle === undefined ? '(none)' : `"${handle}"`}; its handles: ${describe}`,
        });
      }
    }
    if (source && validIds.has(edge.target)) {
      edges.push(edge);
      edgeRawIndex.push(i);
    }
  });

  // The graph as a whole, over the nodes and edges that passed.
  const graph = buildGraph({ nodes, edges }, types);
  const triggers = graph.nodes.filter((n) => n.type === TRIGGER_TYPE);
  const claimsTrigger = rawNodes.some((n) => isRecord(n) && n.type === TRIGGER_TYPE);
  if (triggers.length === 0 && !claimsTrigger) {
    issues.push({ code: ISSUE_CODES.noTrigger, path: '$.nodes', message: 'needs at least one node of type "trigger"' });
  }
  for (const t of triggers) {
    for (const e of graph.incoming[t.index]!) {
      issues.push({
        code: ISSUE_CODES.triggerHasIncoming,
        path: formatPath(['edges', edgeRawIndex[e]!, 'target']),
        nodeId: t.id,
        message: `trigger "${t.id}" cannot have incoming edges`,
      });
    }
  }
  const cycles = findCycles(graph);
  for (const cycle of cycles) {
    issues.push({
      code: ISSUE_CODES.cycle,
      path: formatPath(['nodes', nodeIndexById.get(cycle[0]!)!]),
      nodeId: cycle[0],
      message: `cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  const reached = reachableFrom(graph, triggers.map((t) => t.index));
  if (triggers.length > 0) {
    for (const n of graph.nodes) {
      if (!reached[n.index]) {
        issues.push({
          code: ISSUE_CODES.unreachable,
          path: formatPath(['nodes', nodeIndexById.get(n.id)!]),
          nodeId: n.id,
          message: `node "${n.id}" cannot be reached from any trigger`,
        });
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const full = buildGraph({
    name: input.name as string | undefined,
    version: input.version as string | number | undefined,
    nodes,
    edges,
    settings: settings.success ? settings.data : undefined,
  }, types);
  return {
    ok: true,
    graph: full,
    stats: { nodes: nodes.length, edges: edges.length, triggers: triggers.length, maxDepth: maxDepth(full) },
  };
}

/** Validates and returns the indexed graph, or throws {@link GraphValidationError}. */
export function assertValid(input: unknown, types: NodeCatalog): { graph: Graph; stats: GraphStats } {
  const result = validateDefinition(input, types);
  if (!result.ok) throw new GraphValidationError(result.issues);
  return result;
}

/** A subworkflow's or forEach body's graph is a workflow of its own: every problem, under this node's path. */
function inlineGraphIssues(node: GraphNode, i: number, type: NodeTypeSpec, types: NodeCatalog): ValidationIssue[] {
  const field = type.inlineGraph!.field;
  const inner = validateDefinition(node.data![field], types);
  const prefix = formatPath(['nodes', i, 'data', field]);
  if (!inner.ok) return inner.issues.map((issue) => ({ ...issue, path: prefix + issue.path.slice(1), nodeId: node.id }));
  if (type.inlineGraph!.ownRun) return [];
  // Its nodes run inside this run's batches, with no run of their own to send a decision or an event to.
  return inner.graph.nodes
    .filter((n) => types.get(n.type)?.ownRun)
    .map((n) => ({
      code: ISSUE_CODES.invalidData,
      path: `${prefix}.nodes[${n.index}].type`,
      nodeId: node.id,
      message: `a ${node.type} body cannot hold a "${n.type}" node (items have no run of their own to answer); put it in a subworkflow`,
    }));
}

function reachableFrom(graph: Graph, starts: number[]): boolean[] {
  const seen = graph.nodes.map(() => false);
  const stack = [...starts];
  for (const s of starts) seen[s] = true;
  while (stack.length > 0) {
    const i = stack.pop()!;
    for (const e of graph.outgoing[i]!) {
      const t = graph.edges[e]!.target;
      if (!seen[t]) {
        seen[t] = true;
        stack.push(t);
      }
    }
  }
  return seen;
}

/**
 * Finds cycles with an iterative depth-first search (deep chains must not
 * overflow the stack) and returns the node ids on each, one cycle per back edge,
 * at most {@link MAX_REPORTED_CYCLES}.
 */
export function findCycles(graph: Graph): string[][] {
  if (topologicalOrder(graph).length === graph.nodes.length) return [];
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = graph.nodes.map(() => WHITE);
  const cycles: string[][] = [];
  for (const root of graph.nodes) {
    if (color[root.index] !== WHITE) continue;
    const path: number[] = [root.index];
    const cursor: number[] = [0];
    color[root.index] = GREY;
    while (path.length > 0 && cycles.length < MAX_REPORTED_CYCLES) {
      const top = path.length - 1;
      const node = path[top]!;
      const out = graph.outgoing[node]!;
      if (cursor[top]! >= out.length) {
        color[node] = BLACK;
        path.pop();
        cursor.pop();
        continue;
      }
      const target = graph.edges[out[cursor[top]!++]!]!.target;
      if (color[target] === GREY) {
        cycles.push(path.slice(path.indexOf(target)).map((i) => graph.nodes[i]!.id));
      } else if (color[target] === WHITE) {
        color[target] = GREY;
        path.push(target);
        cursor.push(0);
      }
    }
  }
  return cycles;
}

/** Nodes on the longest path from a source node (1 for a lone trigger). */
export function maxDepth(graph: Graph): number {
  const depth = graph.nodes.map(() => 1);
  let best = graph.nodes.length > 0 ? 1 : 0;
  for (const i of topologicalOrder(graph)) {
    for (const e of graph.outgoing[i]!) {
      const t = graph.edges[e]!.target;
      if (depth[i]! + 1 > depth[t]!) depth[t] = depth[i]! + 1;
      if (depth[t]! > best) best = depth[t]!;
    }
  }
  return best;
}
