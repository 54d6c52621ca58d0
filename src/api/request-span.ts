/**
 * Each API request in a trace (issue 38), when this process traces: a
 * server span named by method and route, continuing the caller's
 * `traceparent`, active while the request is handled, so a run it starts
 * (POST /v1/runs, a saved workflow's run, a webhook delivery) is its child
 * and its log lines carry its ids. Health and metrics probes are left out.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { context, contextOf, SpanKind, SpanStatusCode, trace, tracingOn } from '../telemetry/tracing';

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

export const requestSpan: MiddlewareHandler = async (c, next) => {
  if (!tracingOn() || UNTRACED.has(c.req.path)) return next();
  const parent = contextOf(c.req.header('traceparent'), c.req.header('tracestate'));
  const method = c.req.method;
  const span = trace
    .getTracer('braid')
    .startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': c.req.path, 'url.scheme': 'http' } }, parent);
  try {
    await context.with(trace.setSpan(parent, span), () => next());
  } finally {
    const route = routePath(c, -1);
    if (route && route !== '*' && route !== '/*') {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', c.res.status);
    if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
};
