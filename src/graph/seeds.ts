/**
 * Seeded nodes: a run that starts with some nodes' outputs already known
 * (redrive reuses what an earlier run computed; a test run pins outputs).
 * A seeded node is not executed: it succeeds at once with its output, and
 * its out-edges are taken as for a success with its `handle` (the branch a
 * condition, switch or approval took). Pure; the interpreter and the API share it.
 */
import type { Graph, NodeSpec } from './graph';
import { canonicalJson } from './json';
import type { HandleFromOutput, NodeCatalog } from './node-type';
import { TRIGGER_TYPE } from './node-type';
import type { NodeState, Seeds } from './run-state';

export type { NodeSeed, SeedSource, Seeds } from './run-state';

/** The handle a node took, read from its output by its type (NodeTypeSpec.handleOf); none for a plain node. */
function handleFromOutput(types: NodeCatalog, node: Pick<NodeSpec, 'type' | 'data'>, output: unknown): HandleFromOutput {
  const type = types.get(node.type);
  return type?.handleOf?.(output, type.handles(node.data)) ?? {};
}

/** Every node reachable from `from` along edges, `from` included. */
export function downstreamOf(graph: Graph, from: Iterable<number>): Set<number> {
  const seen = new Set<number>();
  const stack = [...from];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const e of graph.outgoing[i]!) stack.push(graph.edges[e]!.target);
  }
  return seen;
}

/**
 * Whether a node's data reads the run's input: `$input`, a trigger's output
 * (`$nodes.<trigger>`), or `$nodes` in a way that names no node.
 */
export function readsInput(graph: Graph, node: NodeSpec): boolean {
  const text = JSON.stringify(node.data ?? {});
  if (/\$input\b/.test(text)) return true;
  const triggers = new Set(graph.nodes.filter((n) => n.type === TRIGGER_TYPE).map((n) => n.id));
  for (const m of text.matchAll(/\$nodes(?:\.([A-Za-z_][\w-]*)|\[\s*\\?["']([^"'\\]+)\\?["']\s*\])?/g)) {
    const id = m[1] ?? m[2];
    if (id === undefined || triggers.has(id)) return true;
  }
  return false;
}

export interface RedriveOptions {
  /** Nodes to run again whatever they did (and everything downstream of them). */
  fromNodes?: readonly string[];
  /** The run gets a new input: nodes that read it run again (and everything downstream). */
  inputChanged?: boolean;
  /** Nodes whose definition changed (a newer version): they run again (and everything downstream). */
  changed?: ReadonlySet<string>;
  /** The original's final state left large outputs out (RunState.outputsOmitted): a node without one runs again. */
  outputsOmitted?: boolean;
}

/**
 * What a redrive reuses: every node that succeeded in the original run and is
 * neither a trigger (it only passes the input on), nor to run again, nor
 * downstream of one that runs again. The original's states are by node id;
 * `graph` is what the new run runs (its ids may differ from the original's).
 */
export function redriveSeeds(
  graph: Graph,
  original: Readonly<Record<string, Pick<NodeState, 'status' | 'output' | 'handle' | 'error'>>>,
  runId: string,
  opts: RedriveOptions = {},
  types?: NodeCatalog,
): Seeds {
  const again = new Set<number>();
  for (const n of graph.nodes) {
    const before = original[n.id];
    const lost = opts.outputsOmitted === true && before !== undefined && !('output' in before);
    if (before?.status !== 'succeeded' || lost || opts.fromNodes?.includes(n.id) || opts.changed?.has(n.id) || (opts.inputChanged && readsInput(graph, n)))
      again.add(n.index);
  }
  // Nodes that never ran (skipped, canceled, pending) run again only as the scheduler decides; what runs again taints what is below it.
  const starts = graph.nodes.filter((n) => again.has(n.index) && (original[n.id]?.status !== 'skipped' || opts.fromNodes?.includes(n.id))).map((n) => n.index);
  const rerun = downstreamOf(graph, starts);
  const seeds: Seeds = {};
  // A forEach that failed on its own (nothing above it runs again) keeps the outputs of its items that succeeded.
  for (const n of graph.nodes) {
    const items = failedItems(original[n.id]);
    if (!n.keepsItems || !items || opts.fromNodes?.includes(n.id) || opts.changed?.has(n.id) || (opts.inputChanged && readsInput(graph, n))) continue;
    if (
      downstreamOf(
        graph,
        starts.filter((i) => i !== n.index),
      ).has(n.index)
    )
      continue;
    seeds[n.id] = { output: null, items, from: { runId } };
  }
  for (const n of graph.nodes) {
    const before = original[n.id];
    if (n.type === TRIGGER_TYPE || rerun.has(n.index) || before?.status !== 'succeeded') continue;
    // Runs recorded before node states kept their handle: read it from the output, as for a pin.
    const derived = before.handle === undefined && types ? handleFromOutput(types, n, before.output) : {};
    const handle = before.handle ?? ('handle' in derived ? derived.handle : undefined);
    seeds[n.id] = { output: before.output, ...(handle === undefined ? {} : { handle }), from: { runId } };
  }
  return seeds;
}

/** The outputs of a failed forEach's succeeded items (its error's `details.items`), if it kept them. */
function failedItems(state: Pick<NodeState, 'status' | 'error'> | undefined): Record<string, unknown> | undefined {
  if (state?.status !== 'failed') return undefined;
  const items = (state.error?.details as { items?: unknown } | undefined)?.items;
  return items !== null && typeof items === 'object' && !Array.isArray(items) ? (items as Record<string, unknown>) : undefined;
}

/** A problem with a pin, at its path in the request body. */
export interface PinProblem {
  path: string;
  message: string;
}

/**
 * A test run's pins as seeds: `{ nodeId: output }`. Every id must be a node
 * of the graph other than a trigger, and a branching node's output must name
 * one of its branches (its type's handleOf).
 */
export function pinSeeds(
  graph: Graph,
  types: NodeCatalog,
  pins: Readonly<Record<string, unknown>>,
  path = '$.pins',
): { seeds: Seeds } | { problems: PinProblem[] } {
  const seeds: Seeds = {};
  const problems: PinProblem[] = [];
  for (const [id, output] of Object.entries(pins)) {
    const at = `${path}.${id}`;
    const index = graph.indexById.get(id);
    const node = index === undefined ? undefined : graph.nodes[index];
    if (!node) {
      problems.push({ path: at, message: `"${id}" is not a node of this workflow` });
      continue;
    }
    if (node.type === TRIGGER_TYPE) {
      problems.push({ path: at, message: 'a trigger cannot be pinned: give the run its input instead' });
      continue;
    }
    const branch = handleFromOutput(types, node, output);
    if ('problem' in branch) problems.push({ path: at, message: branch.problem });
    else seeds[id] = { output, ...branch, from: 'pin' };
  }
  return problems.length > 0 ? { problems } : { seeds };
}

/** UI-only keys of a node, which do not change what it does. */
const UI_ONLY = new Set(['position', 'positionAbsolute', 'width', 'height', 'selected', 'dragging', 'measured', 'label', 'style', 'className']);

/**
 * Nodes of `after` whose definition differs from the node of the same id in
 * `before` (or that `before` lacks); layout keys aside. Edges into a node
 * count as part of it: a node fed from elsewhere may see other inputs.
 */
export function changedNodes(before: unknown, after: unknown): Set<string> {
  type Def = { nodes?: { id?: unknown }[]; edges?: { source?: unknown; target?: unknown; sourceHandle?: unknown; targetHandle?: unknown }[] };
  const key = (def: Def) => {
    const byId = new Map<string, string>();
    for (const n of def.nodes ?? []) if (typeof n.id === 'string') byId.set(n.id, canonicalJson(n, UI_ONLY));
    const inputs = new Map<string, string[]>();
    for (const e of def.edges ?? [])
      if (typeof e.target === 'string')
        inputs.set(e.target, [...(inputs.get(e.target) ?? []), canonicalJson({ s: e.source, h: e.sourceHandle ?? null, t: e.targetHandle ?? null })]);
    return new Map([...byId].map(([id, text]) => [id, `${text}|${(inputs.get(id) ?? []).sort().join(',')}`]));
  };
  const was = key((before ?? {}) as Def);
  const now = key((after ?? {}) as Def);
  return new Set([...now].filter(([id, text]) => was.get(id) !== text).map(([id]) => id));
}
