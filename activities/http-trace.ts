/**
 * An HTTP node's request in its run's trace: a client span under the node's
 * span (OpenTelemetry's HTTP client conventions) whose context the request
 * sends as `traceparent`/`tracestate`. When this worker does not trace, the
 * node's own context is sent on, so the target still joins the run's trace.
 * The span names the URL as the graph wrote it (placeholders, not secrets).
 */
import type { Span } from '@opentelemetry/api';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { activeTracing, context, contextOf, propagation, SpanKind, SpanStatusCode, trace } from '../src/telemetry/tracing';

export interface ClientSpan {
  /** Ends the span with the response's status, or the failure's type. */
  end(outcome: { status?: number; errorType?: string }): void;
}

const NONE: ClientSpan = { end: () => undefined };

/** Sets the trace headers on `headers` (replacing any the node wrote) and starts the request's span. */
export function traceRequest(
  input: { traceparent?: string; tracestate?: string; url: string },
  method: string,
  target: string,
  headers: Record<string, string>,
): ClientSpan {
  if (!input.traceparent) return NONE;
  for (const h of Object.keys(headers)) if (/^(traceparent|tracestate)$/i.test(h)) delete headers[h];
  const parent = contextOf(input.traceparent, input.tracestate);
  const url = new URL(target);
  if (!activeTracing()) {
    propagation.inject(parent, headers);
    return NONE;
  }
  const span: Span = trace.getTracer('braid').startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': input.url,
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), headers);
  return {
    end({ status, errorType }) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      const error = errorType ?? (status !== undefined && status >= 400 ? String(status) : undefined);
      if (error) {
        span.setAttribute('error.type', error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/**
 * Runs each activity of a traced node inside its node's trace context, so
 * what the activity logs carries the node's `trace_id` and `span_id` (and
 * its client span, a child of the same node, starts from there too).
 */
export class TraceContextInterceptor implements ActivityInboundCallsInterceptor {
  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const first = input.args[0] as { traceparent?: unknown; tracestate?: unknown } | null | undefined;
    if (!activeTracing() || typeof first?.traceparent !== 'string') return next(input);
    const parent = contextOf(first.traceparent, typeof first.tracestate === 'string' ? first.tracestate : undefined);
    return context.with(parent, () => next(input));
  }
}
