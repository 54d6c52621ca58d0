/**
 * A validated definition, indexed for scheduling: nodes by definition index,
 * incoming and outgoing edges per node, and a topological order that follows
 * definition order wherever the edges allow.
 */
import type { ExecutionMode, GraphEdge, GraphNode, GraphSettings, RetryOptions } from './schema';
import { DEFAULT_NAME, LIMITS } from './constants';
import type { NodeCatalog, WaitingKind } from './node-type';
import { durationMs } from './duration';
import { MinHeap } from './heap';

export interface NodeSpec {
  /** Definition index; ready nodes start in this order. */
  readonly index: number;
  readonly id: string;
  readonly type: string;
  readonly label?: string;
  readonly data: Record<string, unknown>;
  readonly retry?: RetryOptions;
  readonly timeout?: string;
  readonly onError: 'fail' | 'continue' | 'branch';
  /** The node's own `execution`, else `settings.execution`, else `activity`; always `activity` for a type that cannot run locally. */
  readonly execution: ExecutionMode;
  /** Runs as an activity and takes a `maxParallel` slot (from its type). */
  readonly activitySlot: boolean;
  /** Starts on its first taken input (from its type: merge "any"). */
  readonly joinsOnFirst: boolean;
  /** Reaching it ends the run as failed with its own error (from its type: `fail`). */
  readonly endsRun: boolean;
  /** Its requests pass the host limiter (from its type: `http`). */
  readonly callsHosts: boolean;
  /** A redrive keeps its succeeded items (from its type: `forEach`). */
  readonly keepsItems: boolean;
  /** What it waits for from outside (from its type: `approval`, `wait`). */
  readonly waits?: WaitingKind;
  /** The node's `estimate`, in ms (see start-order.ts). */
  readonly estimateMs?: number;
  /** The node's `cache`: how long an output is reused, and its key expression (default: type and evaluated data). */
  readonly cache?: { readonly ttlMs: number; readonly key?: string };
}

export interface EdgeSpec {
  readonly index: number;
  readonly source: number;
  readonly target: number;
  /** `undefined` for a plain edge. */
  readonly handle?: string;
}

export interface Settings {
  readonly maxParallel: number;
  readonly onError: 'failFast' | 'continue';
  readonly strategy: 'parallel' | 'sequential';
  readonly execution: ExecutionMode;
  /** The run's deadline (a duration), when it has one. */
  readonly timeout?: string;
  /** The run's limits (src/graph/admission.ts), when it has them. */
  readonly concurrency?: GraphSettings['concurrency'];
  readonly rateLimit?: GraphSettings['rateLimit'];
}

export interface Graph {
  readonly name: string;
  readonly version?: string;
  readonly nodes: readonly NodeSpec[];
  readonly edges: readonly EdgeSpec[];
  readonly settings: Settings;
  /** Edge indexes into each node, by node index. */
  readonly incoming: readonly (readonly number[])[];
  /** Edge indexes out of each node, by node index. */
  readonly outgoing: readonly (readonly number[])[];
  readonly indexById: ReadonlyMap<string, number>;
}

export interface GraphInput {
  name?: string;
  version?: string | number;
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
  settings?: {
    maxParallel?: number;
    onError?: 'failFast' | 'continue';
    strategy?: 'parallel' | 'sequential';
    execution?: ExecutionMode;
    timeout?: string;
    concurrency?: GraphSettings['concurrency'];
    rateLimit?: GraphSettings['rateLimit'];
  };
}

/**
 * Indexes a definition whose ids and edge ends were checked (see `validate`).
 * `types` tells what each node's type means to the scheduler; without it (a
 * page that only draws the graph) every node is a plain workflow node.
 * Throws on an edge to an unknown node, as a guard for callers that skipped validation.
 */
export function buildGraph(def: GraphInput, types?: NodeCatalog): Graph {
  const indexById = new Map<string, number>();
  const nodes = def.nodes.map((n, index): NodeSpec => {
    indexById.set(n.id, index);
    const type = types?.get(n.type);
    const data = (n.data ?? {}) as Record<string, unknown>;
    return {
      index,
      id: n.id,
      type: n.type,
      label: n.label,
      data,
      retry: n.retry,
      timeout: n.timeout,
      onError: n.onError ?? 'fail',
      execution: type?.local ? (n.execution ?? def.settings?.execution ?? 'activity') : 'activity',
      activitySlot: type?.activitySlot ?? false,
      joinsOnFirst: type?.joinsOnFirst?.(data) ?? false,
      endsRun: type?.endsRun ?? false,
      callsHosts: type?.callsHosts ?? false,
      keepsItems: type?.keepsItems ?? false,
      ...(type?.waits ? { waits: type.waits } : {}),
      ...(n.estimate === undefined ? {} : { estimateMs: durationMs(n.estimate) }),
      ...(n.cache === undefined ? {} : { cache: { ttlMs: durationMs(n.cache.ttl), ...(n.cache.key === undefined ? {} : { key: n.cache.key }) } }),
    };
  });
  const incoming: number[][] = nodes.map(() => []);
  const outgoing: number[][] = nodes.map(() => []);
  const edges = def.edges.map((e, index): EdgeSpec => {
    const source = indexById.get(e.source);
    const target = indexById.get(e.target);
    if (source === undefined || target === undefined) {
      throw new RangeError(`edge ${index} joins unknown node ${source === undefined ? e.source : e.target}`);
    }
    outgoing[source]!.push(index);
    incoming[target]!.push(index);
    return { index, source, target, handle: e.sourceHandle ?? undefined };
  });
  return {
    name: def.name ?? DEFAULT_NAME,
    version: def.version === undefined ? undefined : String(def.version),
    nodes,
    edges,
    settings: {
      maxParallel: def.settings?.maxParallel ?? LIMITS.defaultMaxParallel,
      onError: def.settings?.onError ?? 'failFast',
      strategy: def.settings?.strategy ?? 'parallel',
      execution: def.settings?.execution ?? 'activity',
      ...(def.settings?.timeout === undefined ? {} : { timeout: def.settings.timeout }),
      ...(def.settings?.concurrency === undefined ? {} : { concurrency: def.settings.concurrency }),
      ...(def.settings?.rateLimit === undefined ? {} : { rateLimit: def.settings.rateLimit }),
    },
    incoming,
    outgoing,
    indexById,
  };
}

/**
 * Kahn's algorithm, always taking the lowest definition index among the nodes
 * whose predecessors are placed, so the order is deterministic and follows the
 * definition where it can. Nodes on cycles are left out.
 */
export function topologicalOrder(graph: Pick<Graph, 'nodes' | 'edges' | 'incoming' | 'outgoing'>): number[] {
  const remaining = graph.nodes.map((n) => graph.incoming[n.index]!.length);
  const ready: number[] = [];
  remaining.forEach((count, i) => count === 0 && ready.push(i));
  const order: number[] = [];
  const heap = new MinHeap();
  for (const i of ready) heap.push(i);
  for (let i = heap.pop(); i !== undefined; i = heap.pop()) {
    order.push(i);
    for (const e of graph.outgoing[i]!) {
      const t = graph.edges[e]!.target;
      remaining[t]! -= 1;
      if (remaining[t] === 0) heap.push(t);
    }
  }
  return order;
}
