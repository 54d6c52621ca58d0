/**
 * The per-origin limiter on a fake clock: how it starts, cuts on overload,
 * holds for Retry-After, grows back, keeps hard caps, and lets a waiting
 * request go when it is canceled.
 */
import { describe, expect, it } from 'vitest';
import type { Permit } from '../../activities/host-limiter';
import { ADAPTIVE, createHostLimiter, nextWaiter, originOf, parseHostLimits } from '../../activities/host-limiter';

const URL_A = 'http://svc.test:8080/x';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Asks for n slots at once; returns the permits granted now and the promises still waiting. */
async function burst(limiter: ReturnType<typeof createHostLimiter>, n: number, url = URL_A) {
  const granted: Permit[] = [];
  const all = Array.from({ length: n }, () => limiter.acquire(url).then((p) => (granted.push(p), p)));
  await new Promise((r) => setImmediate(r));
  return { granted, all };
}

const statsOf = (limiter: ReturnType<typeof createHostLimiter>, url = URL_A) => limiter.stats().find((s) => s.origin === originOf(url))!;

describe('originOf', () => {
  it('keys by scheme, host and port, with default ports filled in', () => {
    expect(originOf('https://api.example.com/a?b=1')).toBe('https://api.example.com:443');
    expect(originOf('http://api.example.com/a')).toBe('http://api.example.com:80');
    expect(originOf('http://10.0.0.5:8080/')).toBe('http://10.0.0.5:8080');
  });
});

describe('parseHostLimits', () => {
  it('reads host=N and host:port=N entries', () => {
    expect(parseHostLimits('api.example.com=4, 10.0.0.5:8080=16')).toEqual(
      new Map([
        ['api.example.com', 4],
        ['10.0.0.5:8080', 16],
      ]),
    );
    expect(parseHostLimits(undefined).size).toBe(0);
  });
  it.each(['api.example.com', 'api.example.com=0', 'a=b', 'host:99999=3', '=4'])('rejects %j, naming it', (bad) => {
    expect(() => parseHostLimits(bad)).toThrow(`"${bad}"`);
  });
});

describe('host limiter', () => {
  it(`starts an unknown origin at ${ADAPTIVE.initial} and makes the rest wait`, async () => {
    const limiter = createHostLimiter({ now: clock().now });
    const { granted } = await burst(limiter, ADAPTIVE.initial + 5);
    expect(granted).toHaveLength(ADAPTIVE.initial);
    expect(statsOf(limiter)).toMatchObject({ limit: ADAPTIVE.initial, inFlight: ADAPTIVE.initial, waiting: 5, waits: 5 });
  });

  it('grows by one per good answer before the first overload (slow start)', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const { granted } = await burst(limiter, 100);
    c.advance(50);
    for (const p of granted.splice(0, 10)) p.release({ kind: 'ok', latencyMs: 50 });
    await new Promise((r) => setImmediate(r));
    // 10 answers: limit 20 → 30, so 10 freed + 10 more slots.
    expect(statsOf(limiter)).toMatchObject({ limit: ADAPTIVE.initial + 10, inFlight: ADAPTIVE.initial + 10 });
  });

  it('on 429 clamps the limit to what the target was serving and holds it for Retry-After', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const { granted } = await burst(limiter, 60);
    // The target serves 8 and refuses the other 12 in flight.
    c.advance(2);
    for (const p of granted.slice(8, 20)) p.release({ kind: 'overload', status: 429, retryAfterMs: 1000 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter)).toMatchObject({ limit: 8, inFlight: 8, tooManyRequests: 12, overloads: 12 });
    // Good answers within the Retry-After window do not grow it.
    c.advance(100);
    for (const p of granted.slice(0, 8)) p.release({ kind: 'ok', latencyMs: 100 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter)).toMatchObject({ limit: 8, inFlight: 8 });
  });

  it('after the hold grows by one per round trip while the refusal is recent, then back to where it was once quiet', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const { granted } = await burst(limiter, 200);
    for (const p of granted.splice(4, 16)) p.release({ kind: 'overload', status: 503 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter).limit).toBe(4);
    const roundTrip = async (latencyMs: number) => {
      c.advance(latencyMs);
      const done = granted.splice(0, statsOf(limiter).inFlight);
      for (const p of done) p.release({ kind: 'ok', latencyMs });
      await new Promise((r) => setImmediate(r));
    };
    await roundTrip(100);
    expect(statsOf(limiter).limit).toBe(5);
    await roundTrip(100);
    expect(statsOf(limiter).limit).toBe(6);
    // No refusal for three round trips: the episode is over; the limit is back to the 20 it had.
    await roundTrip(100);
    expect(statsOf(limiter).limit).toBe(ADAPTIVE.initial);
  });

  it("does not grow on answers past twice their path's floor", async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const { granted } = await burst(limiter, 100);
    c.advance(100);
    for (const p of granted.splice(0, 5)) p.release({ kind: 'ok', latencyMs: 100 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter).limit).toBe(ADAPTIVE.initial + 5);
    c.advance(400);
    for (const p of granted.splice(0, 5)) p.release({ kind: 'ok', latencyMs: 400 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter).limit).toBe(ADAPTIVE.initial + 5);
  });

  it('keeps a latency floor per path: a slow path on a host with a quick one still grows', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const fast = 'http://svc.test:8080/lookup?id=1';
    const slow = 'http://svc.test:8080/report';
    // The quick path answers in 50 ms, then refuses once with nothing else in flight.
    for (let i = 0; i < 3; i++) (await limiter.acquire(fast)).release({ kind: 'ok', latencyMs: 50 });
    c.advance(10);
    (await limiter.acquire(fast)).release({ kind: 'overload', status: 503 });
    // A cut, not a clamp to "none in flight": 20 → 15, so a 10-wide fan-out goes out at once.
    expect(statsOf(limiter, fast).limit).toBe(Math.floor(ADAPTIVE.initial * ADAPTIVE.backoff));
    const { granted } = await burst(limiter, 40, slow);
    expect(granted).toHaveLength(15);
    // 400 ms answers on the slow path are its own floor, not 8× the quick path's: the limit grows.
    c.advance(400);
    for (const p of granted.splice(0, 15)) p.release({ kind: 'ok', latencyMs: 400 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter, slow).limit).toBeGreaterThan(15);
  });

  it('never shrinks on answers that are not overload (a 404, a 500, a refused connection)', async () => {
    const limiter = createHostLimiter({ now: clock().now });
    const { granted } = await burst(limiter, 20);
    for (const p of granted) p.release({ kind: 'other' });
    expect(statsOf(limiter)).toMatchObject({ limit: ADAPTIVE.initial, overloads: 0 });
  });

  it('held after a refusal, grows back by one per good answer to what the service was serving, not past it', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now, caps: new Map() });
    const { granted } = await burst(limiter, 100);
    // 20 in flight; the service refuses one while serving the other 19... then 11 more: it takes 8.
    c.advance(1);
    for (const p of granted.splice(8, 12)) p.release({ kind: 'overload', status: 429, retryAfterMs: 1000 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter).limit).toBe(8);
    // After the hold, a round trip of good answers takes it to 9 ...
    c.advance(1000);
    for (const p of granted.splice(0, 8)) p.release({ kind: 'ok', latencyMs: 100 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter)).toMatchObject({ limit: 9, inFlight: 9 });
    // ... and the service, serving 8, refuses the ninth: cut to 6, clamped at 8.
    c.advance(1);
    granted.pop()!.release({ kind: 'overload', status: 429, retryAfterMs: 1000 });
    expect(statsOf(limiter).limit).toBe(Math.floor(9 * ADAPTIVE.backoff));
    c.advance(100);
    for (const p of granted.splice(0, 3)) p.release({ kind: 'ok', latencyMs: 100 });
    await new Promise((r) => setImmediate(r));
    expect(statsOf(limiter).limit).toBe(8);
  });

  it('cuts once per round trip: answers to requests sent before the cut only clamp', async () => {
    const c = clock();
    const limiter = createHostLimiter({ now: c.now });
    const { granted } = await burst(limiter, 20);
    c.advance(1);
    granted[19]!.release({ kind: 'overload' });
    expect(statsOf(limiter).limit).toBe(Math.floor(ADAPTIVE.initial * ADAPTIVE.backoff));
    granted[18]!.release({ kind: 'overload' });
    // 15 by the cut, then clamped to the 18 in flight: still 15.
    expect(statsOf(limiter).limit).toBe(Math.floor(ADAPTIVE.initial * ADAPTIVE.backoff));
  });

  it('never passes a hard cap, by host or by host:port', async () => {
    const limiter = createHostLimiter({ now: clock().now, caps: parseHostLimits('svc.test=3,other.test:9000=2') });
    expect((await burst(limiter, 10)).granted).toHaveLength(3);
    expect((await burst(limiter, 10, 'http://other.test:9000/')).granted).toHaveLength(2);
    expect((await burst(limiter, 30, 'http://other.test:9001/')).granted).toHaveLength(ADAPTIVE.initial);
    expect(statsOf(limiter)).toMatchObject({ cap: 3, limit: 3 });
  });

  it('with adaptation off, only caps limit', async () => {
    const limiter = createHostLimiter({ now: clock().now, adaptive: false, caps: parseHostLimits('svc.test=8') });
    const { granted } = await burst(limiter, 20);
    expect(granted).toHaveLength(8);
    granted[0]!.release({ kind: 'overload', status: 429 });
    expect(statsOf(limiter).limit).toBe(8);
    expect((await burst(limiter, 500, 'http://free.test/')).granted).toHaveLength(500);
  });

  it('drops a canceled waiter without taking a slot', async () => {
    const limiter = createHostLimiter({ now: clock().now, caps: parseHostLimits('svc.test=1') });
    const first = await limiter.acquire(URL_A);
    const controller = new AbortController();
    const waiting = limiter.acquire(URL_A, controller.signal);
    const next = limiter.acquire(URL_A);
    controller.abort(new Error('canceled'));
    await expect(waiting).rejects.toThrow('canceled');
    first.release({ kind: 'ok', latencyMs: 1 });
    const p = await next;
    expect(statsOf(limiter)).toMatchObject({ inFlight: 1, waiting: 0 });
    p.release({ kind: 'ok', latencyMs: 1 });
    expect(statsOf(limiter).inFlight).toBe(0);
  });
});

describe('the order of waiting requests', () => {
  const w = (priorityKey: number, group: string | undefined, remaining: number) => ({ priorityKey, group, remaining });

  it('serves the lowest priority key first, then runs in the order they first asked, then the longest remaining path within a run', () => {
    // Arrival order: run A's leaf, run B's chain head, run A's chain head, a priority-1 request of run C.
    const waiters = [w(3, 'A', 1), w(3, 'B', 3), w(3, 'A', 3), w(1, 'C', 1)];
    expect(nextWaiter(waiters)).toBe(3);
    waiters.splice(3, 1);
    // Run A asked first; within it, the chain head (3 left) goes before the leaf (1 left).
    expect(nextWaiter(waiters)).toBe(2);
    waiters.splice(2, 1);
    expect(nextWaiter(waiters)).toBe(0);
    waiters.splice(0, 1);
    expect(nextWaiter(waiters)).toBe(0);
  });

  it('keeps arrival order on ties and for requests that say nothing', () => {
    expect(nextWaiter([w(3, 'A', 2), w(3, 'A', 2), w(3, 'A', 1)])).toBe(0);
    expect(nextWaiter([w(3, undefined, 0), w(3, undefined, 5)])).toBe(0);
  });

  it('grants a freed slot by that order', async () => {
    const limiter = createHostLimiter({ caps: new Map([['svc.test', 1]]), adaptive: false });
    const first = await limiter.acquire(URL_A);
    const order: string[] = [];
    const ask = (name: string, remaining: number, priorityKey?: number) =>
      limiter.acquire(URL_A, undefined, { group: 'run', remaining, ...(priorityKey ? { priorityKey } : {}) }).then((p) => {
        order.push(name);
        p.release({ kind: 'ok', latencyMs: 1 });
      });
    const all = [ask('leaf', 1), ask('chain', 3), ask('urgent', 1, 1)];
    await new Promise((r) => setImmediate(r));
    first.release({ kind: 'ok', latencyMs: 1 });
    await Promise.all(all);
    expect(order).toEqual(['urgent', 'chain', 'leaf']);
  });
});
