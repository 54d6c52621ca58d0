/**
 * W3C trace context for a run and its nodes, the same on every replay and
 * every worker: pure and import-free, so the interpreter computes a node's
 * span id before the span exists (its HTTP requests and child runs name it
 * as their parent) and the worker that exports the span computes the same.
 *
 * A run's trace is its caller's (the `traceparent` the API saw) or, without
 * one, a trace of its own named by its run id; its span id and each node's
 * are hashes of the run id (and node id).
 */

/** What the API hands a traced run: the caller's context (absent: the run starts a trace). */
export interface RunTraceInput {
  traceparent?: string;
  tracestate?: string;
  /** Runs this one follows from, as traceparents of their run spans (a redrive: the run it redrives). */
  links?: string[];
}

export interface SpanIds {
  traceId: string;
  spanId: string;
  /** The parent's span id (the caller's, for a run started with a traceparent). */
  parentSpanId?: string;
  sampled: boolean;
}

/** A span the interpreter reports when its node or run has ended (the worker exports it; see src/telemetry/). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  tracestate?: string;
  name: string;
  /** Epoch ms, in workflow time. */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  status: 'ok' | 'error' | 'unset';
  /** The error's message (secrets already masked), when status is error. */
  error?: { type: string; message: string };
  events?: { name: string; atMs: number; attributes: Record<string, string | number | boolean> }[];
  /** Spans this one follows from (a redrive's run: the run it redrives). */
  links?: { traceId: string; spanId: string }[];
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A valid W3C `traceparent` (version 00, ids not all zero), or undefined. */
export function parseTraceparent(value: string | undefined): SpanIds | undefined {
  const m = value === undefined ? null : TRACEPARENT.exec(value.trim());
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, sampled: (parseInt(m[3]!, 16) & 1) === 1 };
}

export function formatTraceparent(ids: Pick<SpanIds, 'traceId' | 'spanId' | 'sampled'>): string {
  return `00-${ids.traceId}-${ids.spanId}-${ids.sampled ? '01' : '00'}`;
}

/** 32-bit FNV-1a of `text`, from `seed`, as 8 hex digits. */
function fnv32(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** `lanes` × 8 hex digits of hash of `text`; never all zeros. */
function hashHex(text: string, lanes: number): string {
  let out = '';
  for (let lane = 0; lane < lanes; lane++) out += fnv32(`${lane}:${text}`, 0x811c9dc5 ^ Math.imul(lane + 1, 0x9e3779b9));
  return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
}

/** The run's span: in its caller's trace under the caller's span, or the root of a trace of its own. */
export function runSpanIds(runId: string, trace: RunTraceInput): SpanIds {
  const caller = parseTraceparent(trace.traceparent);
  return {
    traceId: caller?.traceId ?? hashHex(`trace:${runId}`, 4),
    spanId: hashHex(`run:${runId}`, 2),
    ...(caller ? { parentSpanId: caller.spanId } : {}),
    sampled: caller?.sampled ?? true,
  };
}

/** A node's span in its run's trace, under the run's span. */
export function nodeSpanIds(run: SpanIds, runId: string, nodeId: string): SpanIds {
  return { traceId: run.traceId, spanId: hashHex(`node:${runId}\n${nodeId}`, 2), parentSpanId: run.spanId, sampled: run.sampled };
}
