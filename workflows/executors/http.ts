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
import { httpDataSchema } from '../../src/graph/schema';
import { formatPath } from '../../src/graph/validate';
import { NodeFailure } from '../errors';
import type { Executor, ExecutorContext, NodeResult } from './types';

export const http: Executor = (node, ctx) =>
  containsExpression(node.data) ? ctx.evaluate(node.data, 'data').then((data) => send(node, ctx, data)) : send(node, ctx, node.data);

function send(node: NodeSpec, ctx: ExecutorContext, evaluated: unknown): Promise<NodeResult> {
  const parsed = httpDataSchema.safeParse(evaluated);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(['data', ...i.path]).slice(2)}: ${i.message}`);
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `invalid http data after evaluation: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  return ctx.activities.http(node, {
    nodeId: node.id,
    method: data.method,
    url: data.url,
    headers: data.headers,
    query: data.query,
    body: data.body,
    timeoutMs: data.timeout === undefined ? undefined : durationMs(data.timeout),
    failOnHttpError: data.failOnHttpError,
  });
}
