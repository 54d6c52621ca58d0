/** Trace context for runs and nodes (src/graph/trace-ids.ts): W3C parsing, and ids the same on every replay. */
import { describe, expect, it } from 'vitest';
import { formatTraceparent, nodeSpanIds, parseTraceparent, runSpanIds } from '../../src/graph/trace-ids';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace ids', () => {
  it('parse a valid traceparent and refuse what W3C refuses', () => {
    expect(parseTraceparent(CALLER)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent(CALLER.replace(/01$/, '00'))?.sampled).toBe(false);
    for (const bad of [
      undefined,
      '',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      `${CALLER}-extra`,
    ])
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    expect(formatTraceparent(parseTraceparent(CALLER)!)).toBe(CALLER);
  });

  it("put a run under its caller's span, in the caller's trace, with ids that depend only on the run id", () => {
    const run = runSpanIds('orders-1', { traceparent: CALLER });
    expect(run).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true });
    expect(run.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(runSpanIds('orders-1', { traceparent: CALLER })).toEqual(run);
    expect(runSpanIds('orders-2', { traceparent: CALLER }).spanId).not.toBe(run.spanId);
  });

  it('start a trace of its own for a run without a caller, named by the run id', () => {
    const a = runSpanIds('orders-1', {});
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.parentSpanId).toBeUndefined();
    expect(runSpanIds('orders-1', { traceparent: 'garbage' })).toEqual(a);
    expect(runSpanIds('orders-2', {}).traceId).not.toBe(a.traceId);
  });

  it('give each node its own span under the run, distinct across nodes and runs', () => {
    const run = runSpanIds('orders-1', { traceparent: CALLER });
    const ids = ['a', 'b', 'c', 'ab', 'ba'].map((n) => nodeSpanIds(run, 'orders-1', n));
    for (const n of ids) expect(n).toMatchObject({ traceId: run.traceId, parentSpanId: run.spanId });
    expect(new Set([run.spanId, ...ids.map((n) => n.spanId)]).size).toBe(6);
    expect(nodeSpanIds(runSpanIds('orders-2', {}), 'orders-2', 'a').spanId).not.toBe(ids[0]!.spanId);
  });
});
