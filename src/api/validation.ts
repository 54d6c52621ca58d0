/** Turns zod and graph validation results into 422 problems. */
import type { Hook } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { ValidationIssue } from '../graph/validate';
import { exceedsNesting, formatPath, MAX_NESTING } from '../graph/json';
import type { ProblemFieldError } from './problem';
import { ApiError } from './problem';
import type { AppEnv, ValidateWorkflow } from './types';

export function zodFieldErrors(error: z.ZodError, base: PropertyKey[] = []): ProblemFieldError[] {
  return error.issues.map((i) => ({ path: formatPath([...base, ...i.path]), message: i.message }));
}

/** Validation issues as problem field errors, their paths moved under `prefix` (e.g. `$.workflow`). */
export function issueFieldErrors(issues: readonly ValidationIssue[], prefix = '$'): ProblemFieldError[] {
  return issues.map((i) => ({ path: prefix + i.path.slice(1), message: i.message }));
}

/** Every graph problem of `definition`, under `prefix`. */
export function graphFieldErrors(validate: ValidateWorkflow, definition: unknown, prefix: string): ProblemFieldError[] {
  const result = validate(definition);
  return result.ok ? [] : issueFieldErrors(result.issues, prefix);
}

/** 422 when a JSON value from a request (an input, an event) nests deeper than MAX_NESTING. */
export function assertNesting(value: unknown, path: string): void {
  if (exceedsNesting(value)) throw validationError([{ path, message: `must not nest deeper than ${MAX_NESTING} levels` }]);
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
    throw new ApiError('malformedJson', `body is not valid JSON: ${(err as Error).message}`);
  }
}

export function validationError(errors: ProblemFieldError[], detail?: string): ApiError {
  return new ApiError('validation', detail ?? `${errors.length} validation error(s)`, { errors });
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
