/**
 * `http`: one HTTP request as an activity (executor: workflows/nodes/http.ts).
 * Its own rules: a cached or local request must be safe to send twice (a
 * safe method, or an `Idempotency-Key` header), and a local one short.
 */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import { credentialNameSchema } from '../../credentials/types';
import { parseDuration } from '../duration';
import { isExpression } from '../expressions';
import type { LocalExecutionProblem, NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { durationSchema, exprOr, LOCAL_MAX_TIMEOUT_MS, LOCAL_SAFE_METHODS, uiKeys } from '../schema';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const urlSchema = buildOnce('src/graph/nodes/http#urlSchema', () =>
  z.string().refine((s) => {
    try {
      const { protocol } = new URL(s);
      return protocol === 'http:' || protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL'),
);

/** `auth`: a credential of the run's project, applied by the activity (src/credentials). Not an expression: it is checked when the run starts. */
const authSchema = buildOnce('src/graph/nodes/http#authSchema', () => z.object({ credential: credentialNameSchema }).strict());

/** `http` data after expressions are evaluated; the executor checks it again at run time. */
export const evaluatedHttpData = buildOnce('src/graph/nodes/http#evaluatedHttpData', () =>
  z
    .object({
      method: z.enum(HTTP_METHODS).default('GET'),
      url: urlSchema,
      headers: z.record(z.string(), z.string()).optional(),
      query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      body: z.unknown().optional(),
      timeout: durationSchema.optional(),
      failOnHttpError: z.boolean().default(true),
      auth: authSchema.optional(),
      ...uiKeys,
    })
    .strict(),
);

/** `http` node data as written, where any field may be an expression. */
const data = buildOnce('src/graph/nodes/http#data', () =>
  z
    .object({
      method: exprOr(z.enum(HTTP_METHODS)).optional(),
      url: exprOr(urlSchema),
      headers: exprOr(z.record(z.string(), z.string())).optional(),
      query: exprOr(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
      body: z.unknown().optional(),
      timeout: exprOr(durationSchema).optional(),
      failOnHttpError: exprOr(z.boolean()).optional(),
      auth: authSchema.optional(),
      ...uiKeys,
    })
    .strict(),
);

/** Whether a header map (as written) names an Idempotency-Key header, in any case. */
export function hasIdempotencyKey(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return false;
  return Object.keys(headers).some((k) => k.toLowerCase() === 'idempotency-key');
}

/** A cached request may be sent twice: a safe method, or an Idempotency-Key header. */
function cacheProblem(d: Readonly<Record<string, unknown>>): string | undefined {
  const method = d.method;
  if (typeof method === 'string' && !method.includes('{%') && !LOCAL_SAFE_METHODS.has(method.toUpperCase()) && !hasIdempotencyKey(d.headers)) {
    return `an http ${method} is cached only with an Idempotency-Key header (GET, HEAD and OPTIONS need none)`;
  }
  return undefined;
}

/**
 * A local request may be sent again after a worker crash (safe method or
 * Idempotency-Key), and holds the workflow task while it runs (a short
 * timeout). `where` is the path blamed for the method when the node's own
 * `execution` chose local.
 */
function localProblems(d: Readonly<Record<string, unknown>>, where: readonly (string | number)[]): LocalExecutionProblem[] {
  const problems: LocalExecutionProblem[] = [];
  const method = d.method ?? 'GET';
  const methodPath = where.length ? [...where] : ['data', 'method'];
  if (!hasIdempotencyKey(d.headers)) {
    if (isExpression(method)) {
      problems.push({
        path: methodPath,
        message:
          'a local node may run again after a worker crash, so its method must be GET, HEAD or OPTIONS; this one is an expression that could be anything. Write the method out or add an Idempotency-Key header',
      });
    } else if (typeof method === 'string' && !LOCAL_SAFE_METHODS.has(method)) {
      problems.push({
        path: methodPath,
        message: `a local node may run again after a worker crash, so ${method} needs an Idempotency-Key header (or use execution "activity"); only GET, HEAD and OPTIONS run locally without one`,
      });
    }
  }
  if (typeof d.timeout === 'string' && !isExpression(d.timeout) && (parseDuration(d.timeout) ?? 0) > LOCAL_MAX_TIMEOUT_MS) {
    problems.push({
      path: ['data', 'timeout'],
      message: `a local node holds the workflow task while it runs, so its request timeout must be at most ${LOCAL_MAX_TIMEOUT_MS / 1000}s (got ${d.timeout}); use execution "activity" for longer requests`,
    });
  }
  return problems;
}

export const httpSpec: NodeTypeSpec = {
  type: 'http',
  label: 'HTTP request',
  description: 'Sends one HTTP request as an activity, with retries; the response (status, headers, body) is its output.',
  category: 'action',
  data,
  handles: () => PLAIN_HANDLES,
  activitySlot: true,
  local: true,
  cacheable: true,
  cacheProblem,
  localProblems,
  callsHosts: true,
  credentialOf: (d) => {
    const auth = d.auth as { credential?: unknown } | undefined;
    return typeof auth?.credential === 'string' ? auth.credential : undefined;
  },
};
