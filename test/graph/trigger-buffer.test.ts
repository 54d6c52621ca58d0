/**
 * Debounce and batch windows (src/graph/trigger-buffer.ts), as the buffer
 * workflow applies them: which deliveries join which run, when a window
 * closes, and what its run gets.
 */
import { describe, expect, it } from 'vitest';
import { BufferBook, MAX_BATCH_BYTES } from '../../src/graph/trigger-buffer';
import type { Delivery } from '../../src/graph/trigger-buffer';

const request = { headers: { 'content-type': 'application/json' }, query: {} };
const delivery = (body: unknown, deliveryKey?: string): Delivery => ({ body, request, version: 'v1', ...(deliveryKey ? { deliveryKey } : {}) });
const ids = () => {
  let n = 0;
  return () => `run-${++n}`;
};

describe('debounce', () => {
  it('a burst is one run with its last delivery; the quiet period restarts with each delivery', () => {
    const book = new BufferBook({ mode: 'debounce', periodMs: 1_000 });
    const next = ids();
    expect(book.deliver(delivery({ n: 1 }), 0, next)).toEqual({ runId: 'run-1', deliveries: 1 });
    expect(book.deliver(delivery({ n: 2 }), 600, next)).toEqual({ runId: 'run-1', deliveries: 2 });
    expect(book.dueAt()).toBe(1_600);
    book.closeDue(1_599);
    expect(book.nextStart('wf', 't')).toBeUndefined();
    book.closeDue(1_600);
    expect(book.nextStart('wf', 't')).toEqual({
      runId: 'run-1',
      workflow: 'wf',
      version: 'v1',
      trigger: 't',
      mode: 'debounce',
      input: { n: 2 },
      request,
      deliveries: 2,
    });
    book.started();
    // The next delivery opens the next run.
    expect(book.deliver(delivery({ n: 3 }), 1_700, next).runId).toBe('run-2');
  });

  it('maxWait bounds a window that never goes quiet', () => {
    const book = new BufferBook({ mode: 'debounce', periodMs: 1_000, maxWaitMs: 2_500 });
    const next = ids();
    for (let t = 0; t <= 2_400; t += 400) book.deliver(delivery({ t }), t, next);
    expect(book.dueAt()).toBe(2_500);
  });

  it('a retried delivery (same key) joins once', () => {
    const book = new BufferBook({ mode: 'debounce', periodMs: 1_000 });
    const next = ids();
    book.deliver(delivery({ n: 1 }, 'k1'), 0, next);
    expect(book.deliver(delivery({ n: 1 }, 'k1'), 10, next)).toEqual({ runId: 'run-1', deliveries: 1 });
  });
});

describe('batch', () => {
  it('closes at maxSize, gathers each delivery as its run would see it, none twice', () => {
    const book = new BufferBook({ mode: 'batch', periodMs: 5_000, maxSize: 2 });
    const next = ids();
    const joined = [1, 2, 3].map((n) => book.deliver(delivery({ n }), n, next).runId);
    expect(joined).toEqual(['run-1', 'run-1', 'run-2']);
    const first = book.nextStart('wf', 't')!;
    expect(first.input).toEqual({
      items: [
        { n: 1, body: { n: 1 }, headers: request.headers, query: {} },
        { n: 2, body: { n: 2 }, headers: request.headers, query: {} },
      ],
    });
    book.started();
    expect(book.nextStart('wf', 't')).toBeUndefined();
    // The rest goes at its timeout from its first delivery.
    expect(book.dueAt()).toBe(5_003);
  });

  it('never takes a batch past its size in bytes: the next delivery opens the next run', () => {
    const book = new BufferBook({ mode: 'batch', periodMs: 5_000, maxSize: 1_000 });
    const next = ids();
    // Each item carries the body twice (its own keys and `body`): about 2/7 of the limit, so three fit.
    const big = 'x'.repeat(Math.floor(MAX_BATCH_BYTES / 7));
    const runs = [1, 2, 3, 4].map((n) => book.deliver(delivery({ n, big }), n, next).runId);
    expect(new Set(runs).size).toBe(2);
    const closed = book.nextStart('wf', 't')!;
    expect(JSON.stringify(closed.input).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });
});
