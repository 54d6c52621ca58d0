/**
 * The pure scheduler at the heart of the interpreter: which nodes may start now,
 * and what a node's end means for the rest of the graph. No Temporal, no clocks.
 *
 * Each edge is pending until its source ends, then it is decided:
 *   taken     the source ran and routed here;
 *   untaken   the source was skipped, or routed elsewhere (a condition's other handle);
 *   poisoned  the source failed (onError "fail") or was canceled.
 * A node is ready when every incoming edge is decided: it runs if at least one
 * is taken and none is poisoned, and otherwise it is skipped and its own edges
 * are decided untaken (or poisoned) in turn: dead-path elimination. So a join
 * after a condition never hangs and never runs twice. A `merge` in mode "any"
 * runs as soon as one input is taken and ignores the rest.
 *
 * Ready nodes start at once, without waiting for a level to finish. Activity
 * nodes are capped by `maxParallel`; nodes that run inside the workflow
 * (conditions, timers, …) are not. When the cap keeps activity nodes waiting,
 * they start by `ranks` (start-order.ts: longest remaining path first) when
 * given, else in definition order. `strategy: "sequential"` runs one node at a
 * time, in definition order.
 */
import type { Graph, NodeSpec } from './graph';
import { MinHeap } from './heap';
import { TRIGGER_TYPE } from './node-type';
import { ERROR_HANDLE } from './schema';

/** `waiting`: running, and parked until a person or another system answers (approval, wait). The scheduler sees it as running. */
export const NODE_STATUSES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'canceled'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

const EDGE_PENDING = 0;
const EDGE_TAKEN = 1;
const EDGE_UNTAKEN = 2;
const EDGE_POISONED = 3;
type EdgeDecision = typeof EDGE_TAKEN | typeof EDGE_UNTAKEN | typeof EDGE_POISONED;

/** How a running node ended. */
export type NodeOutcome =
  /** `handle` is the branch a condition or switch chose. */
  { status: 'succeeded'; handle?: string } | { status: 'failed' } | { status: 'canceled' };

export interface SchedulerOptions {
  /** Fire only this trigger; the others are skipped. Default: all triggers. */
  trigger?: string;
  /** Each node's rank in the start order of waiting activity nodes (0 first; see start-order.ts). Default: definition order. */
  ranks?: Int32Array;
  /** Each node's longest remaining path (start-order.ts `remainingPath`), told to the host limiter with its request. */
  remaining?: Float64Array;
}

export class Scheduler {
  private readonly status: NodeStatus[];
  private readonly edgeState: Uint8Array;
  private readonly undecided: Int32Array;
  private readonly taken: Int32Array;
  private readonly poisoned: Int32Array;
  private readonly queued: Uint8Array;
  private readonly isActivity: Uint8Array;
  private readonly isMergeAny: Uint8Array;
  /** A merge "any" node's first taken input edge (-1: none yet): the one it passes on. */
  private readonly winner: Int32Array;
  private readonly readyInline = new MinHeap();
  /** Ready activity nodes by rank (`ranks`, else definition index). */
  private readonly readyActivities = new MinHeap();
  private readonly rankOf: (index: number) => number;
  private readonly nodeAtRank: (rank: number) => number;
  private readonly remaining: Float64Array | undefined;
  private running = 0;
  private runningActivities = 0;
  private stopped = false;
  private skippedLog: number[] = [];

  constructor(
    readonly graph: Graph,
    options: SchedulerOptions = {},
  ) {
    const n = graph.nodes.length;
    this.status = new Array<NodeStatus>(n).fill('pending');
    this.edgeState = new Uint8Array(graph.edges.length);
    this.undecided = Int32Array.from(graph.incoming, (edges) => edges.length);
    this.taken = new Int32Array(n);
    this.poisoned = new Int32Array(n);
    this.queued = new Uint8Array(n);
    this.isActivity = Uint8Array.from(graph.nodes, (node) => (node.activitySlot ? 1 : 0));
    this.isMergeAny = Uint8Array.from(graph.nodes, (node) => (node.joinsOnFirst ? 1 : 0));
    this.winner = new Int32Array(n).fill(-1);
    const ranks = graph.settings.strategy === 'sequential' ? undefined : options.ranks;
    this.remaining = ranks ? options.remaining : undefined;
    if (ranks) {
      const atRank = new Int32Array(n);
      ranks.forEach((rank, index) => (atRank[rank] = index));
      this.rankOf = (index) => ranks[index]!;
      this.nodeAtRank = (rank) => atRank[rank]!;
    } else {
      this.rankOf = this.nodeAtRank = (i) => i;
    }

    if (options.trigger !== undefined) {
      const t = graph.indexById.get(options.trigger);
      if (t === undefined || graph.nodes[t]!.type !== TRIGGER_TYPE) {
        throw new RangeError(`"${options.trigger}" is not a trigger of this graph`);
      }
    }
    const decided: number[] = [];
    for (const node of graph.nodes) {
      if (graph.incoming[node.index]!.length > 0) continue;
      if (options.trigger === undefined || node.id === options.trigger) this.enqueue(node.index);
      else this.skip(node.index, EDGE_UNTAKEN, decided);
    }
    this.drain(decided);
  }

  /** The node's longest remaining path to the end of the graph, when the run orders by it. */
  remainingOf(index: number): number | undefined {
    return this.remaining?.[index];
  }

  /** Status of a node by index. */
  statusOf(index: number): NodeStatus {
    return this.status[index]!;
  }

  /** True when nothing runs and nothing is ready: the run is over. */
  get done(): boolean {
    return this.running === 0 && (this.stopped || (this.readyInline.size === 0 && this.readyActivities.size === 0));
  }

  get runningCount(): number {
    return this.running;
  }

  /**
   * Nodes to start now, in definition order, marked running. Within the caps:
   * every ready in-workflow node, and activity nodes while fewer than
   * `maxParallel` run (the first by rank); with `strategy: "sequential"`, one
   * node when none runs.
   */
  next(): NodeSpec[] {
    if (this.stopped) return [];
    const picked: number[] = [];
    if (this.graph.settings.strategy === 'sequential') {
      if (this.running > 0) return [];
      const a = this.readyInline.peek();
      const b = this.readyActivities.peek();
      if (a === undefined && b === undefined) return [];
      picked.push(b === undefined || (a !== undefined && a < b) ? this.readyInline.pop()! : this.nodeAtRank(this.readyActivities.pop()!));
    } else {
      while (this.readyInline.size > 0) picked.push(this.readyInline.pop()!);
      let free = this.graph.settings.maxParallel - this.runningActivities;
      while (free > 0 && this.readyActivities.size > 0) {
        picked.push(this.nodeAtRank(this.readyActivities.pop()!));
        free--;
      }
      picked.sort((x, y) => x - y);
    }
    for (const i of picked) {
      this.status[i] = 'running';
      this.running++;
      if (this.isActivity[i]) this.runningActivities++;
    }
    return picked.map((i) => this.graph.nodes[i]!);
  }

  /** Records how a running node ended and decides its outgoing edges. */
  complete(index: number, outcome: NodeOutcome): void {
    if (this.status[index] !== 'running') {
      throw new RangeError(`node ${this.graph.nodes[index]?.id ?? index} is not running`);
    }
    this.status[index] = outcome.status;
    this.running--;
    if (this.isActivity[index]) this.runningActivities--;
    const node = this.graph.nodes[index]!;
    const decided: number[] = [];
    for (const e of this.graph.outgoing[index]!) {
      this.decide(e, this.route(node, this.graph.edges[e]!.handle, outcome), decided);
    }
    this.drain(decided);
  }

  /**
   * Stops the run (fail-fast or cancellation): nothing more starts, and every
   * node that has not started is marked canceled. Returns the indexes of the
   * nodes still running, for the caller to cancel; each must still be completed.
   */
  stop(): number[] {
    this.stopped = true;
    const running: number[] = [];
    this.status.forEach((s, i) => {
      if (s === 'pending') this.status[i] = 'canceled';
      else if (s === 'running') running.push(i);
    });
    return running;
  }

  /** Whether an edge (by index) was decided taken. */
  isTaken(edge: number): boolean {
    return this.edgeState[edge] === EDGE_TAKEN;
  }

  /**
   * The input edge that made a merge "any" node ready: the first taken, in
   * the order the interpreter settled its inputs (the same on replay).
   * Undefined for other nodes, and before one is taken.
   */
  firstTakenInput(node: number): number | undefined {
    const edge = this.winner[node]!;
    return edge < 0 ? undefined : edge;
  }

  /** Nodes skipped since the last call, in the order they were skipped. */
  takeSkipped(): NodeSpec[] {
    const out = this.skippedLog.map((i) => this.graph.nodes[i]!);
    this.skippedLog = [];
    return out;
  }

  private route(node: NodeSpec, handle: string | undefined, outcome: NodeOutcome): EdgeDecision {
    const isErrorEdge = handle === ERROR_HANDLE;
    if (outcome.status === 'canceled') return EDGE_POISONED;
    if (outcome.status === 'failed') {
      if (node.onError === 'branch') return isErrorEdge ? EDGE_TAKEN : EDGE_UNTAKEN;
      if (node.onError === 'continue') return isErrorEdge ? EDGE_UNTAKEN : EDGE_TAKEN;
      return EDGE_POISONED;
    }
    if (isErrorEdge) return EDGE_UNTAKEN;
    if (outcome.handle !== undefined) return handle === outcome.handle ? EDGE_TAKEN : EDGE_UNTAKEN;
    // No handle chosen: the plain edges (a wait node's "timeout" edge waits for a timeout).
    return handle === undefined ? EDGE_TAKEN : EDGE_UNTAKEN;
  }

  private enqueue(index: number): void {
    this.queued[index] = 1;
    if (this.isActivity[index]) this.readyActivities.push(this.rankOf(index));
    else this.readyInline.push(index);
  }

  private skip(index: number, reason: EdgeDecision, decided: number[]): void {
    this.status[index] = 'skipped';
    this.skippedLog.push(index);
    for (const e of this.graph.outgoing[index]!) {
      this.edgeState[e] = reason;
      decided.push(e);
    }
  }

  private decide(edge: number, decision: EdgeDecision, decided: number[]): void {
    this.edgeState[edge] = decision;
    decided.push(edge);
  }

  /** Settles the targets of decided edges, iteratively (deep chains must not overflow the stack). */
  private drain(decided: number[]): void {
    while (decided.length > 0) {
      const e = decided.pop()!;
      const t = this.graph.edges[e]!.target;
      const decision = this.edgeState[e]!;
      if (decision === EDGE_PENDING) continue;
      this.undecided[t]!--;
      if (decision === EDGE_TAKEN) this.taken[t]!++;
      else if (decision === EDGE_POISONED) this.poisoned[t]!++;
      if (this.stopped || this.status[t] !== 'pending' || this.queued[t]) continue;
      if (this.isMergeAny[t] && this.taken[t]! > 0) {
        // Not queued yet and now taken: this edge is the first taken one.
        this.winner[t] = e;
        this.enqueue(t);
      } else if (this.undecided[t] === 0) {
        if (this.taken[t]! > 0 && (this.poisoned[t] === 0 || this.isMergeAny[t])) this.enqueue(t);
        else this.skip(t, this.poisoned[t]! > 0 ? EDGE_POISONED : EDGE_UNTAKEN, decided);
      }
    }
  }
}
