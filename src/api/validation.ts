/** Request validation: zod's and the graph's results as 422 problems, a raw body as JSON, the router every route module uses. */
import type { Hook } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { formatPath } from '../graph/json';
import type { FieldError } from '../runs/errors';
import { BraidError } from '../runs/errors';
import { graphFieldErrors, validationError } from '../runs/validation';
import type { AppEnv } from './types';

export function zodFieldErrors(error: z.ZodError, base: PropertyKey[] = []): FieldError[] {
  return error.issues.map((i) => ({ path: formatPath([...base, ...i.path]), message: i.message }));
}

/**
 * A request body as JSON, read by the routes that take their body raw (an
 * event, a webhook delivery, a saved-workflow run, the codec): `empty` when
 * there is none, 400 malformed-json naming the problem when it does not parse.
 */
export function parseJsonBody(text: string, empty: unknown = null): unknown {
  if (text.trim() === '') return empty;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BraidError('malformedJson', `body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The hook every route's request validation reports to. For a request that
 * carries a definition, every graph problem is reported too, not only the
 * first shape error zod found.
 */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = async (result, c) => {
  if (result.success) return;
  const target = (result as { target?: string }).target;
  const base: PropertyKey[] = target === 'query' ? ['query'] : target === 'param' ? ['params'] : [];
  const errors = zodFieldErrors(result.error as z.ZodError, base);
  if (target === 'json') {
    const raw: unknown = await c.req.json().catch(() => undefined);
    const isStart = c.req.path.endsWith('/runs');
    // Bodies that are a definition: a saved version (PUT) and a check (validate); a run's carries one under `workflow`.
    const isDefinition = (c.req.method === 'PUT' && c.req.path.startsWith('/v1/workflows/')) || c.req.path.endsWith('/validate');
    const definition = isStart ? (raw as { workflow?: unknown } | undefined)?.workflow : isDefinition ? raw : undefined;
    if (definition !== undefined) {
      const prefix = isStart ? '$.workflow' : '$';
      const graph = graphFieldErrors(c.get('validate'), definition, prefix);
      const rest = errors.filter((e) => !e.path.startsWith(prefix));
      if (graph.length > 0) throw validationError([...rest, ...graph]);
    }
  }
  throw validationError(errors);
};

/** A router whose request validation answers the API's problem (every route module and the app use one). */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
