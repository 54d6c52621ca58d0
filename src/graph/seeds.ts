/**
 * Seeded nodes: a run that starts with some nodes' outputs already known
 * (redrive reuses what an earlier run computed; a test run pins outputs).
 * A seeded node is not executed: it succeeds at once with its output, and
 * its out-edges are taken as for a success with its `handle` (the branch a
 * condition, switch or approval took). Pure; the interpreter and the API share it.
 */
import type { Graph, NodeSpec } from './graph';
import { TRIGGER_TYPE } from './node-type';
import type { NodeState, Seeds } from './run-state';

export type { NodeSeed, SeedSource, Seeds } from './run-state';

/**
 * The handle a pinned output stands for, from what the node type outputs:
 * a condition's boolean, a switch's `{ handle }`, an approval's `{ approved }`.
 * A problem (naming what is wrong) when the output cannot be one of the node's.
 */
export function pinnedHandle(node: Pick<NodeSpec, 'type'>, handles: readonly (string | undefined)[], output: unknown): { handle?: string } | { problem: string } {
  switch (node.type) {
    case 'condition':
      return typeof output === 'boolean' ? { handle: String(output) } : { problem: 'a condition node outputs true or false' };
    case 'switch': {
      const handle = (output as { handle?: unknown } | null)?.handle;
      return typeof handle === 'string' && handles.includes(handle)
        ? { handle }
        : { problem: `a switch node outputs { "handle": one of ${handles.filter((h) => h !== undefined).map((h) => JSON.stringify(h)).join(', ')} }` };
    }
    case 'approval': {
      const approved = (output as { approved?: unknown } | null)?.approved;
      return typeof approved === 'boolean' ? { handle: approved ? 'approved' : 'rejected' } : { problem: 'an approval node outputs { "approved": true or false, … }' };
    }
    default:
      return {};
  }
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
}

/**
 * What a redrive reuses: every node that succeeded in the original run and is
 * neither a trigger (it only passes the input on), nor to run again, nor
 * downstream of one that runs again. The original's states are by node id;
 * `graph` is what the new run runs (its ids may differ from the original's).
 */
export function redriveSeeds(graph: Graph, original: Readonly<Record<string, Pick<NodeState, 'status' | 'output' | 'handle'>>>, runId: string, opts: RedriveOptions = {}): Seeds {
  const again = new Set<number>();
  for (const n of graph.nodes) {
    const before = original[n.id];
    if (before?.status !== 'succeeded' || opts.fromNodes?.includes(n.id) || opts.changed?.has(n.id) || (opts.inputChanged && readsInput(graph, n))) again.add(n.index);
  }
  // Nodes that never ran (skipped, canceled, pending) run again only as the scheduler decides; what runs again taints what is below it.
  const rerun = downstreamOf(
    graph,
    graph.nodes.filter((n) => again.has(n.index) && (original[n.id]?.status !== 'skipped' || opts.fromNodes?.includes(n.id))).map((n) => n.index),
  );
  const seeds: Seeds = {};
  for (const n of graph.nodes) {
    const before = original[n.id];
    if (n.type === TRIGGER_TYPE || rerun.has(n.index) || before?.status !== 'succeeded') continue;
    seeds[n.id] = { output: before.output, ...(before.handle === undefined ? {} : { handle: before.handle }), from: { runId } };
  }
  return seeds;
}
