/** What a node type is on the workflow side: its spec, and an executor that gets a context and returns a result. */
import type { RunTraceInput } from '../../src/graph/trace-ids';
import type { Graph, NodeSpec } from '../../src/graph/graph';
import type { NodeTypeSpec } from '../../src/graph/node-type';
import type { ForEachProgress, SavedRef, Waiting } from '../../src/graph/run-state';
import type { Scheduler } from '../../src/graph/scheduler';
import type { ActivityDispatcher } from '../activity-dispatcher';
import type { Mailbox } from '../mailbox';
import type { SecretScopes } from '../secret-scope';
import type { NodeBinding, NodeResult } from '../../src/graph/node-result';

export type { NodeBinding, NodeResult } from '../../src/graph/node-result';

export interface ExecutorContext {
  readonly graph: Graph;
  readonly scheduler: Scheduler;
  readonly input: unknown;
  /** `$nodes` as expressions see it; entries are replaced, never mutated. */
  readonly nodesView: Readonly<Record<string, NodeBinding>>;
  /** Evaluates every `{% … %}` inside `value`; `field` names it in errors. */
  evaluate(value: unknown, field: string): Promise<unknown>;
  /** The run's secret scope: sent beside requests, handed to child runs (workflows/secret-scope.ts). */
  readonly secrets: SecretScopes;
  /** What a node's requests and child runs carry as their trace context (a traced run's; workflows/run-trace.ts). */
  traceOf(nodeId: string): RunTraceInput | undefined;
  /** Sends activity nodes' requests (remote, batched or local). */
  readonly dispatcher: ActivityDispatcher;
  /** Durable waiting: `ms` from now. */
  sleep(ms: number): Promise<void>;
  /** Decisions and events from outside (approval, wait). */
  readonly mailbox: Mailbox;
  /** A forEach node starts: `total` items, none done; its batches report the rest (the forEachProgress signal). */
  markProgress(node: NodeSpec, progress: ForEachProgress): void;
  /** A forEach in a redrive: the items that succeeded before (outputs by index), and the run they came from. */
  reusedItems(node: NodeSpec): { items: Readonly<Record<string, unknown>>; runId: string } | undefined;
  /** Shows the node as `waiting` (for what, until when) until it ends. */
  markWaiting(node: NodeSpec, waiting: Omit<Waiting, 'since'>): void;
  /**
   * This run's id and task queue, the saved workflows its subworkflow nodes
   * refer to, its custom node types, and whether its payloads are claim-checked
   * (a child run then keeps whole outputs too).
   */
  readonly run: {
    id: string;
    startedAt: string;
    taskQueue: string;
    library: Readonly<Record<string, SavedRef>>;
    nodeTypes: readonly string[];
    claimCheck: boolean;
  };
}

/** May throw synchronously (the interpreter treats that as a failed node). */
export type Executor = (node: NodeSpec, ctx: ExecutorContext) => Promise<NodeResult>;

/** A node type: what validation and the scheduler read (src/graph/node-type.ts), and how it runs. */
export interface NodeType extends NodeTypeSpec {
  readonly run: Executor;
}

/** Result of a node that runs inside the workflow and takes no time of its own. */
export function computed(output: unknown, handle?: string): NodeResult {
  return { output, attempts: 1, runMs: 0, execution: 'workflow', ...(handle === undefined ? {} : { handle }) };
}

export function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return `${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} ${text === undefined ? '' : text.slice(0, 80)}`.trim();
}
