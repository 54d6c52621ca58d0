/**
 * `http`: one HTTP request as an activity (remote, batched or local; see the
 * dispatcher). Written without `async` on purpose: every promise a workflow
 * creates costs a stack-trace capture in the SDK's sandbox, and a wide ready
 * set starts this executor a thousand times in one workflow task.
 */
import { durationMs } from '../../src/graph/duration';
import { containsExpression } from '../../src/graph/expressions';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { NodeSpec } from '../../src/graph/graph';
import { formatPath } from '../../src/graph/json';
import { NodeFailure } from '../errors';
import { evaluatedHttpData, httpSpec } from '../../src/graph/nodes/http';
import type { Executor, ExecutorContext, NodeResult, NodeType } from './types';

const run: Executor = (node, ctx) =>
  containsExpression(node.data) ? ctx.evaluate(node.data, 'data').then((data) => send(node, ctx, data)) : send(node, ctx, node.data);

function send(node: NodeSpec, ctx: ExecutorContext, evaluated: unknown): Promise<NodeResult> {
  const parsed = evaluatedHttpData.safeParse(evaluated);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(['data', ...i.path]).slice(2)}: ${i.message}`);
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `invalid http data after evaluation: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  return ctx.dispatcher.http(node, {
    nodeId: node.id,
    method: data.method,
    url: data.url,
    headers: data.headers,
    query: data.query,
    body: data.body,
    timeoutMs: data.timeout === undefined ? undefined : durationMs(data.timeout),
    failOnHttpError: data.failOnHttpError,
    ...(data.auth ? { credential: data.auth.credential } : {}),
    ...remainingOf(node, ctx),
    ...ctx.secrets.current,
    ...traceOf(node, ctx),
  });
}

/** A traced run's request names its node's span as its parent (run-trace.ts). */
function traceOf(node: NodeSpec, ctx: ExecutorContext): { traceparent?: string; tracestate?: string } {
  return ctx.traceOf(node.id) ?? {};
}

/** The node's remaining path, for the host limiter, when the run orders by it (graph-workflow.ts HOST_ORDER_PATCH). */
function remainingOf(node: NodeSpec, ctx: ExecutorContext): { remaining?: number } {
  const remaining = ctx.scheduler.remainingOf(node.index);
  return remaining === undefined ? {} : { remaining };
}

export const http: NodeType = { ...httpSpec, run };
