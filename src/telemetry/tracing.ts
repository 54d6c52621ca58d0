/**
 * OpenTelemetry traces (issue 38), configured by the standard variables:
 * on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * is set (and `OTEL_TRACES_EXPORTER` is not `none`), off and free otherwise.
 * Spans go over OTLP/HTTP, protobuf or JSON as `OTEL_EXPORTER_OTLP_PROTOCOL`
 * says (default `http/protobuf`), in batches sized for 2,000-node runs;
 * `OTEL_SERVICE_NAME` names the process, `OTEL_TRACES_SAMPLER` samples.
 *
 * The API's requests and the HTTP nodes' requests are spans of this
 * process's tracer; runs and nodes are reported by the interpreter (it runs
 * in Temporal's sandbox) through a sink, with ids it computed, and exported
 * here as they are (exportRecord).
 */
import type { Attributes, Context, HrTime, SpanContext } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RunTraceInput, SpanRecord } from '../graph/trace-ids';

export interface Tracing {
  provider: NodeTracerProvider;
  /** Exports a span the interpreter reported (a run's or a node's). */
  exportRecord(record: SpanRecord): void;
  /** Sends what is queued and stops. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** Whether this process traces (startTracing found an endpoint). */
export function tracingOn(): boolean {
  return current !== undefined;
}

/** Whether these variables turn tracing on. */
export function tracingConfigured(env: Record<string, string | undefined>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true' || (env.OTEL_TRACES_EXPORTER ?? '').toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Where spans go: the traces endpoint as given, or the general endpoint with `/v1/traces` (as the OTLP specification says). */
export function tracesUrl(env: Record<string, string | undefined>): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
}

function exporterFor(env: Record<string, string | undefined>): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').toLowerCase();
  const url = tracesUrl(env);
  // The SDK is loaded only when tracing is on: off, a process never reads it.
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (protocol === 'http/json') return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpJson).OTLPTraceExporter({ url });
  if (protocol === 'http/protobuf') return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto).OTLPTraceExporter({ url });
  /* eslint-enable @typescript-eslint/no-require-imports */
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; use http/protobuf or http/json`);
}

const SERVICE_NAME = 'service.name';

/**
 * Starts tracing for this process when the variables ask for it; the
 * process's tracer and W3C propagation are registered globally.
 */
export function startTracing(env: Record<string, string | undefined>, service: string): Tracing | undefined {
  if (current || !tracingConfigured(env)) return current;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const resource = resourceFromAttributes({ [SERVICE_NAME]: env.OTEL_SERVICE_NAME || service });
  const processor = new BatchSpanProcessor(exporterFor(env), {
    // A 2,000-node run ends 2,000 node spans within a few workflow tasks.
    maxQueueSize: Number(env.OTEL_BSP_MAX_QUEUE_SIZE) || 20_000,
    maxExportBatchSize: Number(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE) || 1_000,
    scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) || 1_000,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const scope = { name: 'braid' };
  current = {
    provider,
    exportRecord: (record) => processor.onEnd(readableSpan(record, resource, scope)),
    async shutdown() {
      current = undefined;
      await provider.shutdown();
    },
  };
  return current;
}

/** The active tracing, if any (the worker's sink exports through it). */
export function activeTracing(): Tracing | undefined {
  return current;
}

/**
 * What a run started now carries: the active span's context (the API
 * request, the webhook delivery), or nothing of a caller's (a root run);
 * undefined when tracing is off.
 */
export function runTraceContext(): RunTraceInput | undefined {
  if (!current) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}), ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}

/** The context a `traceparent` (and `tracestate`) name, for a span to continue. */
export function contextOf(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent, ...(tracestate ? { tracestate } : {}) });
}

export { SpanKind, SpanStatusCode, trace, context, propagation };

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

function spanContext(traceId: string, spanId: string, sampled = true): SpanContext {
  return { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

/** A span the interpreter reported, as the SDK's exporters read one. */
function readableSpan(r: SpanRecord, resource: ReadableSpan['resource'], scope: ReadableSpan['instrumentationScope']): ReadableSpan {
  const endMs = Math.max(r.endMs, r.startMs);
  const events: ReadableSpan['events'] = (r.events ?? []).map((e) => ({ name: e.name, time: hr(e.atMs), attributes: e.attributes as Attributes }));
  if (r.error) events.push({ name: 'exception', time: hr(endMs), attributes: { 'exception.type': r.error.type, 'exception.message': r.error.message } });
  const own = { ...spanContext(r.traceId, r.spanId), isRemote: false };
  return {
    name: r.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => own,
    ...(r.parentSpanId ? { parentSpanContext: spanContext(r.traceId, r.parentSpanId) } : {}),
    startTime: hr(r.startMs),
    endTime: hr(endMs),
    duration: hr(endMs - r.startMs),
    status:
      r.status === 'error'
        ? { code: SpanStatusCode.ERROR, message: r.error?.message ?? '' }
        : { code: r.status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET },
    attributes: r.attributes,
    links: (r.links ?? []).map((l) => ({ context: spanContext(l.traceId, l.spanId) })),
    events,
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
