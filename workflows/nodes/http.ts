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
import { z } from 'zod';
import { durationSchema, exprOr, uiKeys } from '../../src/graph/schema';
import { formatPath } from '../../src/graph/json';
import { NodeFailure } from '../errors';
import { PLAIN_HANDLES } from '../../src/graph/node-type';
import type { Executor, ExecutorContext, NodeResult, NodeType } from './types';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const urlSchema = z.string().refine((s) => {
  try {
    const { protocol } = new URL(s);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

/** `http` data after expressions are evaluated; checked again at run time. */
const evaluatedData = z
  .object({
    method: z.enum(HTTP_METHODS).default('GET'),
    url: urlSchema,
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    body: z.unknown().optional(),
    timeout: durationSchema.optional(),
    failOnHttpError: z.boolean().default(true),
    ...uiKeys,
  })
  .strict();

/** `http` node data as written, where any field may be an expression. */
const data = z
  .object({
    method: exprOr(z.enum(HTTP_METHODS)).optional(),
    url: exprOr(urlSchema),
    headers: exprOr(z.record(z.string(), z.string())).optional(),
    query: exprOr(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
    body: z.unknown().optional(),
    timeout: exprOr(durationSchema).optional(),
    failOnHttpError: exprOr(z.boolean()).optional(),
    ...uiKeys,
  })
  .strict();

const run: Executor = (node, ctx) =>
  containsExpression(node.data) ? ctx.evaluate(node.data, 'data').then((data) => send(node, ctx, data)) : send(node, ctx, node.data);

function send(node: NodeSpec, ctx: ExecutorContext, evaluated: unknown): Promise<NodeResult> {
  const parsed = evaluatedData.safeParse(evaluated);
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
    ...remainingOf(node, ctx),
    ...ctx.secrets.current,
  });
}

/** The node's remaining path, for the host limiter, when the run orders by it (graph-workflow.ts HOST_ORDER_PATCH). */
function remainingOf(node: NodeSpec, ctx: ExecutorContext): { remaining?: number } {
  const remaining = ctx.scheduler.remainingOf(node.index);
  return remaining === undefined ? {} : { remaining };
}

export const http: NodeType = {
  type: 'http',
  label: 'HTTP request',
  description: 'Sends one HTTP request as an activity, with retries; the response (status, headers, body) is its output.',
  category: 'action',
  data,
  handles: () => PLAIN_HANDLES,
  activitySlot: true,
  local: true,
  cacheable: true,
  run,
};
