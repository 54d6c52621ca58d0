/**
 * A traced run's spans (issue 38): the run and each node, reported through
 * the `braidTrace` sink when they end. Sinks are not called on replay, so a
 * worker that replays a run after another died reports nothing twice; span
 * ids are hashes (src/graph/trace-ids.ts), so what a node calls (its HTTP
 * requests, its child run) names the node's span before the span is sent.
 *
 * A run is traced when the API started it with a trace context (tracing on,
 * `args.trace`); behind TRACE_PATCH, since its requests and child runs then
 * carry the context in their recorded inputs.
 */
import type { Sinks } from '@temporalio/workflow';
import { patched, proxySinks } from '@temporalio/workflow';
import type { NodeSpec } from '../src/graph/graph';
import type { NodeState, RunState } from '../src/graph/run-state';
import type { RunTraceInput, SpanIds, SpanRecord } from '../src/graph/trace-ids';
import { formatTraceparent, nodeSpanIds, parseTraceparent, runSpanIds } from '../src/graph/trace-ids';
import { PATCHES } from './patches';

export const TRACE_PATCH = PATCHES.trace.id;

export interface BraidSinks extends Sinks {
  braidTrace: { span(record: SpanRecord): void };
}

const { braidTrace } = proxySinks<BraidSinks>();

const ENDED_STATUS: Partial<Record<NodeState['status'], SpanRecord['status']>> = { succeeded: 'ok', failed: 'error' };

/** A child run's `trace` argument: the node's context, when the run is traced. */
export function withTrace(trace: RunTraceInput | undefined): { trace?: RunTraceInput } {
  return trace ? { trace } : {};
}

export class RunTrace {
  private readonly run: SpanIds | undefined;

  constructor(
    private readonly runId: string,
    private readonly input: RunTraceInput | undefined,
  ) {
    this.run = input && patched(TRACE_PATCH) ? runSpanIds(runId, input) : undefined;
  }

  /** The context a node's requests and child runs carry: the node's span as their parent. */
  contextOf(nodeId: string): RunTraceInput | undefined {
    if (!this.run) return undefined;
    return {
      traceparent: formatTraceparent(nodeSpanIds(this.run, this.runId, nodeId)),
      ...(this.input?.tracestate ? { tracestate: this.input.tracestate } : {}),
    };
  }

  nodeEnded(node: NodeSpec, state: NodeState, startMs: number, endMs: number): void {
    if (!this.run?.sampled) return;
    const ids = nodeSpanIds(this.run, this.runId, node.id);
    const retries = Array.from({ length: Math.max(0, state.attempts - 1) }, (_, i) => {
      // Why attempt i + 1 failed: what it left for the next (activities/retry-record.ts), else the last error.
      const type = state.retries?.[i] ?? state.error?.type;
      return { name: 'retry', atMs: startMs, attributes: { attempt: i + 2, ...(type ? { 'error.type': type } : {}) } };
    });
    braidTrace.span({
      ...this.common(ids),
      name: `node ${node.id}`,
      startMs,
      endMs,
      attributes: {
        'braid.run.id': this.runId,
        'braid.node.id': node.id,
        'braid.node.type': node.type,
        ...(node.label ? { 'braid.node.label': node.label } : {}),
        'braid.node.status': state.status,
        'braid.node.attempts': state.attempts,
        ...(state.queuedMs === undefined ? {} : { 'braid.node.queued_ms': state.queuedMs }),
        ...(state.runMs === undefined ? {} : { 'braid.node.run_ms': state.runMs }),
        ...(state.reused ? { 'braid.node.reused_from': state.reused.runId } : {}),
      },
      status: ENDED_STATUS[state.status] ?? 'unset',
      ...(state.error && state.status === 'failed' ? { error: { type: state.error.type, message: state.error.message } } : {}),
      ...(retries.length ? { events: retries } : {}),
    });
  }

  runEnded(state: RunState, startMs: number, endMs: number): void {
    if (!this.run?.sampled) return;
    const links = (this.input?.links ?? []).flatMap((l) => {
      const ids = parseTraceparent(l);
      return ids ? [{ traceId: ids.traceId, spanId: ids.spanId }] : [];
    });
    braidTrace.span({
      ...this.common(this.run),
      name: `run ${state.name}`,
      startMs,
      endMs,
      attributes: {
        'braid.run.id': this.runId,
        'braid.workflow.name': state.name,
        ...(state.version === undefined ? {} : { 'braid.workflow.version': String(state.version) }),
        'braid.run.status': state.status,
      },
      status: state.status === 'succeeded' ? 'ok' : state.status === 'failed' ? 'error' : 'unset',
      ...(state.error ? { error: { type: state.error.type, message: state.error.message } } : {}),
      // A redrive follows from the run it redrives.
      ...(links.length ? { links } : {}),
    });
  }

  private common(ids: SpanIds): Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'tracestate'> {
    return {
      traceId: ids.traceId,
      spanId: ids.spanId,
      ...(ids.parentSpanId ? { parentSpanId: ids.parentSpanId } : {}),
      ...(this.input?.tracestate ? { tracestate: this.input.tracestate } : {}),
    };
  }
}
