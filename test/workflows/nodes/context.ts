/**
 * A node's executor outside a workflow: a context whose expressions are
 * evaluated for real and whose Temporal side (dispatcher, timers, mailbox)
 * records what the executor asked for and answers as told.
 */
import type { SecretScopes } from '../../../workflows/secret-scope';
import { evaluateTemplate, ExpressionCache } from '../../../src/graph/expressions';
import type { GraphDefinition } from '../../../src/graph/schema';
import { Scheduler } from '../../../src/graph/scheduler';
import { assertValid } from '../../../src/graph/validate';
import type { ActivityDispatcher } from '../../../workflows/activity-dispatcher';
import type { Mailbox } from '../../../workflows/mailbox';
import type { ExecutorContext, NodeBinding, NodeResult } from '../../../workflows/nodes';
import { BUILT_IN, checkedNodeTypes } from '../../../workflows/nodes';

export interface Recorded {
  http: unknown[];
  calls: { activityType: string; taskQueue: string; args: unknown[]; owner?: string }[];
  sleeps: number[];
  waiting: unknown[];
}

export interface FakeOptions {
  input?: unknown;
  nodes?: Record<string, NodeBinding>;
  /** What the mailbox answers a wait for a decision or an event. */
  answer?: { value: unknown } | 'timeout';
  /** Custom node types the run knows by name. */
  customTypes?: string[];
}

const RESULT: NodeResult = { output: { ok: true }, attempts: 1, runMs: 7, execution: 'activity' };

/** The graph of `def` (validated), its node `id`, and a context for running that node's executor. */
export function nodeContext(def: GraphDefinition, id: string, opts: FakeOptions = {}) {
  const types = opts.customTypes ? checkedNodeTypes(opts.customTypes) : BUILT_IN;
  const { graph } = assertValid(def, types);
  const scheduler = new Scheduler(graph);
  const recorded: Recorded = { http: [], calls: [], sleeps: [], waiting: [] };
  const nodes = opts.nodes ?? {};
  const answer = opts.answer ?? 'timeout';
  const cache = new ExpressionCache();
  const dispatcher = {
    http: async (_node: unknown, request: unknown) => (recorded.http.push(request), RESULT),
    call: async (_node: unknown, activityType: string, taskQueue: string, args: unknown[], owner?: string) => (
      recorded.calls.push({ activityType, taskQueue, args, ...(owner ? { owner } : {}) }),
      RESULT
    ),
  } as unknown as ActivityDispatcher;
  const mailbox = {
    keptCount: () => 0,
    waitEvent: async () => answer,
    waitDecision: async () => answer,
  } as unknown as Mailbox;
  const ctx: ExecutorContext = {
    graph,
    scheduler,
    input: opts.input ?? null,
    nodesView: nodes,
    evaluate: (value) =>
      evaluateTemplate(value, { input: opts.input ?? null, nodes, run: { id: 'run-1', startedAt: '2026-01-01T00:00:00.000Z' }, secrets: {} }, cache),
    dispatcher,
    // No secrets named: nothing to draw, nothing to send.
    secrets: { current: {}, nonce: undefined, binding: {}, prepare: () => undefined } as unknown as SecretScopes,
    sleep: async (ms) => void recorded.sleeps.push(ms),
    mailbox,
    markProgress: () => undefined,
    reusedItems: () => undefined,
    markWaiting: (_node, waiting) => void recorded.waiting.push(waiting),
    traceOf: () => undefined,
    run: { id: 'run-1', startedAt: '2026-01-01T00:00:00.000Z', taskQueue: 'braid', library: {}, nodeTypes: opts.customTypes ?? [], claimCheck: false },
  };
  const node = graph.nodes[graph.indexById.get(id)!]!;
  const run = () => types.get(node.type)!.run(node, ctx);
  return { graph, scheduler, node, ctx, recorded, run, types };
}
