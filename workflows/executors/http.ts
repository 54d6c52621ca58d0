/** `http`: one HTTP request as an activity (remote, batched or local; see the dispatcher). */
import { durationMs } from '../../src/graph/duration';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { httpDataSchema } from '../../src/graph/schema';
import { formatPath } from '../../src/graph/validate';
import { NodeFailure } from '../errors';
import type { Executor } from './types';

export const http: Executor = async (node, ctx) => {
  const evaluated = await ctx.evaluate(node.data, 'data');
  const parsed = httpDataSchema.safeParse(evaluated);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(['data', ...i.path]).slice(2)}: ${i.message}`);
    throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `invalid http data after evaluation: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  const { result, execution } = await ctx.activities.http(node, {
    nodeId: node.id,
    method: data.method,
    url: data.url,
    headers: data.headers,
    query: data.query,
    body: data.body,
    timeoutMs: data.timeout === undefined ? undefined : durationMs(data.timeout),
    failOnHttpError: data.failOnHttpError,
  });
  return { output: result.output, attempts: result.attempt, runMs: result.runMs, queuedMs: result.queuedMs, execution };
};
