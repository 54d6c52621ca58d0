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
import { buildGraph } from './graph';
import { findCycles, maxDepth, reachableFrom } from './graph-checks';
import { exceedsNesting, formatPath, MAX_NESTING, utf8Length } from './json';
import { localExecutionProblems } from './local-execution';
import { admissionKeyIssues } from './admission';
import type { NodeCatalog, NodeTypeSpec } from './node-type';
import { PLAIN_HANDLES, TRIGGER_TYPE } from './node-type';
import type { ExecutionMode, GraphEdge, GraphNode, GraphSettings } from './schema';
import { edgeSchema, ERROR_HANDLE, LIMITS, nodeSchema, settingsSchema } from './schema';
import type { GraphStats, ValidationIssue, ValidationResult } from './validation-issues';
import { GraphValidationError, ISSUE_CODES, isRecord, zodIssues } from './validation-issues';

export type { GraphStats, IssueCode, ValidationIssue, ValidationResult } from './validation-issues';
export { GraphValidationError, ISSUE_CODES } from './validation-issues';

/** The source handles a node of `type` may use; `undefined` stands for a plain edge. */
function allowedHandles(node: GraphNode, type: NodeTypeSpec | undefined): { handles: Set<string | undefined>; describe: string } {
  const handles = new Set<string | undefined>(type ? type.handles(node.data ?? {}) : PLAIN_HANDLES);
  if (node.onError === 'branch') handles.add(ERROR_HANDLE);
  const names = [...handles].map((h) => (h === undefined ? 'none' : `"${h}"`));
  return { handles, describe: names.join(', ') };
}

/**
 * Every problem of `input` as a workflow whose nodes are of the `types` given
 * (their specs, src/graph/nodes: the built-in ones, with or without custom ones), or the
 * indexed graph.
 */
export function validateDefinition(input: unknown, types: NodeCatalog): ValidationResult {
  const top = topLevel(input);
  if ('stop' in top) return { ok: false, issues: top.stop };
  const { definition, rawNodes, rawEdges, settings, issues } = top;
  const nodes = checkNodes(rawNodes, types, settings?.execution, issues);
  const edges = checkEdges(rawEdges, nodes, issues);
  const graph = buildGraph({ nodes: nodes.list, edges: edges.list }, types);
  issues.push(...wholeGraphIssues(graph, rawNodes, nodes.indexById, edges.rawIndex));
  if (issues.length > 0) return { ok: false, issues };
  const full = buildGraph(
    {
      name: definition.name as string | undefined,
      version: definition.version as string | number | undefined,
      nodes: nodes.list,
      edges: edges.list,
      settings,
    },
    types,
  );
  return {
    ok: true,
    graph: full,
    stats: {
      nodes: nodes.list.length,
      edges: edges.list.length,
      triggers: graph.nodes.filter((n) => n.type === TRIGGER_TYPE).length,
      maxDepth: maxDepth(full),
    },
  };
}

type TopLevel =
  | { stop: ValidationIssue[] }
  | { definition: Record<string, unknown>; rawNodes: unknown[]; rawEdges: unknown[]; settings: GraphSettings | undefined; issues: ValidationIssue[] };

/** Size and top-level shape: nodes and edges must be arrays within limits, settings well formed. */
function topLevel(input: unknown): TopLevel {
  if (!isRecord(input)) return { stop: [{ code: ISSUE_CODES.invalidShape, path: '$', message: 'definition must be a JSON object' }] };
  if (exceedsNesting(input, MAX_NESTING + 4)) {
    return { stop: [{ code: ISSUE_CODES.tooLarge, path: '$', message: `definition nests deeper than ${MAX_NESTING} levels` }] };
  }
  let size: number;
  try {
    size = utf8Length(JSON.stringify(input));
  } catch {
    return { stop: [{ code: ISSUE_CODES.invalidShape, path: '$', message: 'definition must be JSON' }] };
  }
  const issues: ValidationIssue[] = [];
  if (size > LIMITS.maxDefinitionBytes) {
    issues.push({ code: ISSUE_CODES.tooLarge, path: '$', message: `definition is ${size} bytes; the limit is ${LIMITS.maxDefinitionBytes}` });
  }
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
  if (input.version !== undefined && !(typeof input.version === 'number' || (typeof input.version === 'string' && input.version.length <= 64))) {
    issues.push({ code: ISSUE_CODES.invalidShape, path: '$.version', message: 'must be a string or a number' });
  }
  const settings = settingsSchema.safeParse(input.settings ?? {});
  if (!settings.success) issues.push(...zodIssues(settings.error, ['settings'], ISSUE_CODES.invalidShape));
  else issues.push(...admissionKeyIssues(settings.data));
  if (issues.some((i) => i.code === ISSUE_CODES.tooLarge) || !Array.isArray(rawNodes) || !Array.isArray(rawEdges)) return { stop: issues };
  return { definition: input, rawNodes, rawEdges, settings: settings.success ? settings.data : undefined, issues };
}

interface CheckedNodes {
  /** The nodes whose shape passed, in definition order (some may have problems of their own). */
  list: GraphNode[];
  /** Their types, for those whose type is known. */
  typeOf: Map<string, NodeTypeSpec>;
  indexById: Map<string, number>;
}

/** Nodes, each on its own: shape, unique id, known type, then what its type says of its data. */
function checkNodes(rawNodes: unknown[], types: NodeCatalog, defaultExecution: ExecutionMode | undefined, issues: ValidationIssue[]): CheckedNodes {
  const checked: CheckedNodes = { list: [], typeOf: new Map(), indexById: new Map() };
  rawNodes.forEach((raw, i) => {
    const parsed = nodeSchema.safeParse(raw);
    const rawId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, ['nodes', i], ISSUE_CODES.invalidShape, rawId));
      return;
    }
    const node = parsed.data;
    const first = checked.indexById.get(node.id);
    if (first !== undefined) {
      issues.push({
        code: ISSUE_CODES.duplicateId,
        path: formatPath(['nodes', i, 'id']),
        nodeId: node.id,
        message: `duplicate node id "${node.id}" (first used by nodes[${first}])`,
      });
      return;
    }
    checked.indexById.set(node.id, i);
    checked.list.push(node);
    const type = types.get(node.type);
    if (!type) {
      const message = `unknown node type "${node.type}"; known types: ${[...types.keys()].join(', ')}`;
      issues.push({ code: ISSUE_CODES.unknownType, path: formatPath(['nodes', i, 'type']), nodeId: node.id, message });
      return;
    }
    checked.typeOf.set(node.id, type);
    issues.push(...nodeIssues(node, i, type, types, defaultExecution));
  });
  return checked;
}

/** A node of a known type: its data, its inline graph, local execution, its expressions. */
function nodeIssues(node: GraphNode, i: number, type: NodeTypeSpec, types: NodeCatalog, defaultExecution: ExecutionMode | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const data = type.data.safeParse(node.data ?? {});
  if (!data.success) {
    issues.push(...zodIssues(data.error, ['nodes', i, 'data'], ISSUE_CODES.invalidData, node.id));
  } else {
    if (type.inlineGraph && node.data?.[type.inlineGraph.field] !== undefined) issues.push(...inlineGraphIssues(node, i, type, types));
    for (const p of type.sourceProblems?.(node.data ?? {}) ?? []) {
      const { path, ...where } = p;
      issues.push({ code: ISSUE_CODES.codeSyntax, path: formatPath(['nodes', i, 'data', ...path]), nodeId: node.id, ...where });
    }
  }
  for (const p of type.nodeProblems?.(node) ?? []) {
    issues.push({ code: ISSUE_CODES.invalidData, path: formatPath(['nodes', i, ...p.path]), nodeId: node.id, message: p.message });
  }
  for (const p of localExecutionProblems(node, defaultExecution, types)) {
    issues.push({ code: ISSUE_CODES.localExecution, path: formatPath(['nodes', i, ...p.path]), nodeId: node.id, message: p.message });
  }
  if (type.endsRun && node.onError !== undefined && node.onError !== 'fail') {
    issues.push({
      code: ISSUE_CODES.invalidShape,
      path: formatPath(['nodes', i, 'onError']),
      nodeId: node.id,
      message: `a ${node.type} node ends the run: it takes no onError "${node.onError}"`,
    });
  }
  const cache = cacheProblem(node, type);
  if (cache) issues.push({ code: ISSUE_CODES.notCacheable, path: formatPath(['nodes', i, 'cache']), nodeId: node.id, message: cache });
  if (node.cache?.key !== undefined) {
    try {
      if (node.cache.key.includes('{%')) for (const found of findExpressions(node.cache.key)) compileExpression(found.text);
    } catch (err) {
      const message = err instanceof ExpressionError ? err.message : String(err);
      issues.push({
        code: ISSUE_CODES.invalidExpression,
        path: formatPath(['nodes', i, 'cache', 'key']),
        nodeId: node.id,
        message: `expression does not compile: ${message}`,
      });
    }
  }
  // An inline graph's expressions were checked with it, and run in the child; literal fields have none.
  const notSearched = [type.inlineGraph?.field, ...(type.literalFields ?? [])].filter((f): f is string => f !== undefined);
  const searched = notSearched.length > 0 ? { ...node.data, ...Object.fromEntries(notSearched.map((f) => [f, undefined])) } : (node.data ?? {});
  for (const found of findExpressions(searched)) {
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
  return issues;
}

/**
 * Why a node's `cache` cannot apply: only types that call out (http,
 * activity, custom) cache, and each type may refuse some of its data
 * (its spec's `cacheProblem`).
 */
function cacheProblem(node: GraphNode, type: NodeTypeSpec): string | undefined {
  if (node.cache === undefined) return undefined;
  if (!type.cacheable) return `a ${node.type} node cannot be cached: only http, activity and custom nodes can`;
  return type.cacheProblem?.(node.data ?? {});
}

/** Edges, each on its own: shape, unique id, known ends, a handle its source offers. */
function checkEdges(rawEdges: unknown[], nodes: CheckedNodes, issues: ValidationIssue[]): { list: GraphEdge[]; rawIndex: number[] } {
  const validIds = new Map(nodes.list.map((n) => [n.id, n]));
  const list: GraphEdge[] = [];
  const rawIndex: number[] = [];
  const edgeIds = new Map<string, number>();
  rawEdges.forEach((raw, i) => {
    const parsed = edgeSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, ['edges', i], ISSUE_CODES.invalidShape));
      return;
    }
    const edge = parsed.data;
    if (edge.id !== undefined) {
      const first = edgeIds.get(edge.id);
      if (first !== undefined) {
        issues.push({
          code: ISSUE_CODES.duplicateEdge,
          path: formatPath(['edges', i, 'id']),
          message: `duplicate edge id "${edge.id}" (first used by edges[${first}])`,
        });
      } else edgeIds.set(edge.id, i);
    }
    for (const end of ['source', 'target'] as const) {
      if (!nodes.indexById.has(edge[end])) {
        issues.push({ code: ISSUE_CODES.unknownNode, path: formatPath(['edges', i, end]), message: `${end} "${edge[end]}" is not a node id` });
      }
    }
    const source = validIds.get(edge.source);
    if (source) {
      const { handles, describe } = allowedHandles(source, nodes.typeOf.get(source.id));
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
      list.push(edge);
      rawIndex.push(i);
    }
  });
  return { list, rawIndex };
}

/** The graph as a whole, over the nodes and edges that passed: triggers, cycles, reachability. */
function wholeGraphIssues(graph: Graph, rawNodes: unknown[], indexById: ReadonlyMap<string, number>, edgeRawIndex: readonly number[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
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
  for (const cycle of findCycles(graph)) {
    issues.push({
      code: ISSUE_CODES.cycle,
      path: formatPath(['nodes', indexById.get(cycle[0]!)!]),
      nodeId: cycle[0],
      message: `cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  if (triggers.length === 0) return issues;
  const reached = reachableFrom(
    graph,
    triggers.map((t) => t.index),
  );
  for (const n of graph.nodes) {
    if (!reached[n.index]) {
      issues.push({
        code: ISSUE_CODES.unreachable,
        path: formatPath(['nodes', indexById.get(n.id)!]),
        nodeId: n.id,
        message: `node "${n.id}" cannot be reached from any trigger`,
      });
    }
  }
  return issues;
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

export { findCycles, maxDepth } from './graph-checks';
export { exceedsNesting, formatPath, MAX_NESTING } from './json';
