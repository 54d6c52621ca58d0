/**
 * Adaptive concurrency per target origin (scheme, host, port), shared by every
 * run in a worker process: what `http` nodes use so a fan-out finds how much
 * a service takes from its answers instead of learning it by a storm of 429s.
 *
 * The algorithm is AIMD with TCP's slow-start threshold (Reno's `ssthresh`),
 * applied to concurrency (as Netflix's concurrency-limits `AIMDLimit` and
 * Vector's adaptive request concurrency do). Chosen over Vegas and Gradient2
 * because the signal that matters here is explicit (a 429 or 503 says "too
 * many"; latency is a weak signal for a remote API whose time varies by
 * request), and because it keeps working when several workers share a
 * target: each backs off on its own refusals, as TCP flows share a link.
 *
 * - An origin starts at `initial` (generous: most APIs take more) in slow
 *   start: every good answer adds one, so the limit doubles per round trip
 *   until the first overload.
 * - Overload (429, 503, a timeout) cuts the limit by `backoff`, once per round
 *   trip (answers to requests sent before the last cut do not cut again), and
 *   sets the threshold to the cut limit. When other requests were in flight,
 *   it also clamps the limit to them: the target refused while it served
 *   those. A refusal with nothing else in flight (one 503 from a quick path)
 *   only cuts: a clamp to "none" would send one request at a time. A
 *   `Retry-After` holds the limit until it has passed (without one, for a
 *   round trip): held, it grows back by one per good answer to that clamp,
 *   not past it. Nothing but overload shrinks the limit: a 404, a 500, a
 *   refused connection say nothing about load.
 * - Growth needs the limit to bind (requests wait) and the answer to be
 *   within `latencyTolerance`× the floor **of its own path** (the fastest of
 *   the last good answers there): a 400 ms report is not slow beside a 50 ms
 *   lookup on the same host. Below the threshold every good answer adds one
 *   (slow start again: the limit doubles per round trip); at or above it,
 *   one per round trip.
 * - Recovery, by time: when an origin has not refused for `quietRoundTrips`
 *   of its shortest round trip since its last refusal (and that refusal's
 *   hold), the overload episode is over: the limit and the threshold go back
 *   to what the origin had before it began. A refusal that recurs within the
 *   quiet period keeps the episode, and its lower limit, going: a target that
 *   really takes 8 settles near 8, and is tried above it again only after a
 *   quiet spell. Chosen over a gradient on latency because the limit then
 *   depends on refusals alone, never on one path being slower than another.
 * - A hard cap (HTTP_HOST_LIMITS) bounds it; with adaptation off the cap (or
 *   nothing) is the limit.
 */
export type { HostLimiterObserver, Outcome, Permit, OriginStats, WaitOrder } from './host-origin';
export { ADAPTIVE, nextWaiter } from './host-origin';
import type { HostLimiterObserver, Permit, OriginStats, WaitOrder, Waiter } from './host-origin';
import { Origin } from './host-origin';

export interface HostLimiterOptions {
  /** Hard caps by `host` (any port) or `host:port`. */
  caps?: ReadonlyMap<string, number>;
  /** False: only the hard caps apply (HTTP_ADAPTIVE_CONCURRENCY=off). */
  adaptive?: boolean;
  now?: () => number;
  /** Told of every change, for metrics (src/temporal/host-metrics.ts). */
  observer?: HostLimiterObserver;
}

/** `https://api.example.com` → `https://api.example.com:443`: one key per scheme, host and port. */
export function originOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
  return `${u.protocol}//${u.hostname}:${port}`;
}

/** A URL's path without its query: the unit whose answers are compared for latency. */
function pathOf(url: string): string {
  return new URL(url).pathname;
}

/**
 * Parses HTTP_HOST_LIMITS (`api.example.com=4,10.0.0.5:8080=16`): a cap per
 * host (any port) or per `host:port`. Throws naming the entry that is wrong.
 */
export function parseHostLimits(value: string | undefined): Map<string, number> {
  const caps = new Map<string, number>();
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?=(\d+)$/.exec(entry);
    const cap = m ? Number(m[3]) : NaN;
    if (!m || !(cap >= 1) || (m[2] !== undefined && Number(m[2]) > 65_535)) {
      throw new Error(`"${entry}" is not host=N or host:port=N with N ≥ 1`);
    }
    caps.set(`${m[1]!.toLowerCase()}${m[2] === undefined ? '' : `:${m[2]}`}`, cap);
  }
  return caps;
}

export function createHostLimiter(opts: HostLimiterOptions = {}) {
  const origins = new Map<string, Origin>();
  const now = opts.now ?? (() => performance.now());
  const adaptive = opts.adaptive ?? true;
  const observe = (o: Origin) => opts.observer?.changed(o.name, Number.isFinite(o.limit) ? Math.floor(o.limit) : -1, o.inFlight, o.waiters.length);

  function originState(origin: string): Origin {
    let o = origins.get(origin);
    if (!o) {
      const { hostname, port } = new URL(origin);
      const cap = opts.caps?.get(`${hostname}:${port}`) ?? opts.caps?.get(hostname);
      o = new Origin(origin, cap, adaptive);
      origins.set(origin, o);
    }
    return o;
  }

  /**
   * Waits for a slot at `url`'s origin (or until `signal` aborts: then it
   * rejects with the signal's reason and takes no slot); `order` places it
   * among the other waiters (WaitOrder).
   */
  async function acquire(url: string, signal?: AbortSignal, order: WaitOrder = {}): Promise<Permit> {
    const o = originState(originOf(url));
    const path = pathOf(url);
    const asked = now();
    if (adaptive) o.recover(asked);
    if (o.waiters.length > 0 || o.inFlight >= Math.floor(o.limit)) {
      o.waits++;
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          priorityKey: order.priorityKey ?? 3,
          group: order.group,
          remaining: order.remaining ?? 0,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            o.inFlight++;
            resolve();
          },
        };
        const onAbort = () => {
          const i = o.waiters.indexOf(waiter);
          if (i >= 0) o.waiters.splice(i, 1);
          observe(o);
          reject(signal!.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        o.waiters.push(waiter);
        observe(o);
      });
    } else {
      o.inFlight++;
    }
    const startedAt = now();
    const waitedMs = startedAt - asked;
    o.waitedMs += waitedMs;
    if (waitedMs > 0) opts.observer?.waited(o.name, waitedMs);
    observe(o);
    let released = false;
    return {
      waitedMs,
      release(outcome) {
        if (released) return;
        released = true;
        o.inFlight--;
        const t = now();
        if (outcome.kind === 'ok') o.onOk(path, outcome.latencyMs, t);
        else if (outcome.kind === 'overload') {
          if (outcome.status === 429) {
            o.tooManyRequests++;
            opts.observer?.tooManyRequests(o.name);
          }
          o.onOverload(startedAt, t, outcome.retryAfterMs);
        }
        o.pump();
        observe(o);
      },
    };
  }

  return {
    acquire,
    /** Every origin seen so far, for /metrics. */
    stats: (): OriginStats[] => [...origins.values()].map((o) => o.stats()),
  };
}

export type HostLimiter = ReturnType<typeof createHostLimiter>;
