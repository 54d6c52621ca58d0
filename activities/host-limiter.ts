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

export interface HostLimiterOptions {
  /** Hard caps by `host` (any port) or `host:port`. */
  caps?: ReadonlyMap<string, number>;
  /** False: only the hard caps apply (HTTP_ADAPTIVE_CONCURRENCY=off). */
  adaptive?: boolean;
  now?: () => number;
  /** Told of every change, for metrics (src/temporal/host-metrics.ts). */
  observer?: HostLimiterObserver;
}

/** What metrics see of each origin. */
export interface HostLimiterObserver {
  /** The origin's limit, in-flight or waiting count changed. */
  changed(origin: string, limit: number, inFlight: number, waiting: number): void;
  /** The origin answered 429. */
  tooManyRequests(origin: string): void;
  /** A request waited this long for a slot. */
  waited(origin: string, ms: number): void;
}

export const ADAPTIVE = {
  /** Where an origin starts: above what most services allow one client, so only a real limit binds. */
  initial: 20,
  /** The adaptive limit never grows past this (the worker runs at most 2,000 activities anyway). */
  max: 2_000,
  /** Multiplicative decrease on overload (Netflix's AIMD uses 0.9; a 429 storm needs a faster retreat). */
  backoff: 0.75,
  /** Growth stops while the recent latency is above this multiple of the floor. */
  latencyTolerance: 2,
  /** Good answers each path's latency floor is taken over. */
  floorWindow: 50,
  /** Paths per origin whose floors are kept (the oldest go first). */
  maxPaths: 64,
  /** Round trips without an overload that end an overload episode. */
  quietRoundTrips: 3,
} as const;

/** How a request through the limiter ended. */
export type Outcome = { kind: 'ok'; latencyMs: number } | { kind: 'overload'; retryAfterMs?: number; status?: number } | { kind: 'other' };

export interface Permit {
  /** How long the request waited for the limiter. */
  waitedMs: number;
  release(outcome: Outcome): void;
}

export interface OriginStats {
  origin: string;
  limit: number;
  inFlight: number;
  waiting: number;
  /** Hard cap from HTTP_HOST_LIMITS, if any. */
  cap?: number;
  /** Answers 429 received. */
  tooManyRequests: number;
  /** Overloads of any kind (429, 503, timeouts). */
  overloads: number;
  /** Requests that had to wait, and their total wait. */
  waits: number;
  waitedMs: number;
}

/**
 * Which waiting request goes first when a slot frees (`acquire`'s `order`):
 * the lowest Temporal priority key; within it, runs in the order they first
 * asked; within a run, the node with the longest remaining path (its
 * critical path first, as `maxParallel` orders them; see src/graph/start-order.ts).
 */
export interface WaitOrder {
  /** Temporal priority key of the activity (1 first; absent: 3, the server's default). */
  priorityKey?: number;
  /** The run the request belongs to (its workflow id; batch children's ids start with it). */
  group?: string;
  /** Longest remaining path from the node to the end of its graph (larger first). */
  remaining?: number;
}

interface Waiter {
  priorityKey: number;
  group: string | undefined;
  remaining: number;
  grant: () => void;
}

/** The waiter to serve next (see WaitOrder); waiters are kept in arrival order. */
export function nextWaiter<W extends Pick<Waiter, 'priorityKey' | 'group' | 'remaining'>>(waiters: readonly W[]): number {
  let best = 0;
  for (let i = 1; i < waiters.length; i++) if (waiters[i]!.priorityKey < waiters[best]!.priorityKey) best = i;
  const { priorityKey, group } = waiters[best]!;
  if (group === undefined) return best;
  for (let i = best + 1; i < waiters.length; i++) {
    const w = waiters[i]!;
    if (w.priorityKey === priorityKey && w.group === group && w.remaining > waiters[best]!.remaining) best = i;
  }
  return best;
}

class Origin {
  limit: number;
  inFlight = 0;
  readonly waiters: Waiter[] = [];
  /** Slow start below this limit (Reno's ssthresh); Infinity until the first overload. */
  threshold = Infinity;
  /** The limit before the current overload episode began; undefined outside one. */
  restoreTo: number | undefined;
  /** Good answers toward the next step of additive growth. */
  credit = 0;
  lastCutAt = -Infinity;
  lastOverloadAt = -Infinity;
  holdUntil = -Infinity;
  /** In-flight requests when the service last refused one: what it took then. */
  ceiling = Infinity;
  /** The last good answers' latencies, by path. */
  readonly latencies = new Map<string, number[]>();
  tooManyRequests = 0;
  overloads = 0;
  waits = 0;
  waitedMs = 0;

  constructor(
    readonly name: string,
    readonly cap: number | undefined,
    readonly adaptive: boolean,
  ) {
    this.limit = adaptive ? Math.min(ADAPTIVE.initial, cap ?? Infinity) : (cap ?? Infinity);
  }

  /** The fastest recent good answer on `path` (Infinity before one). */
  floor(path: string): number {
    const seen = this.latencies.get(path);
    return seen === undefined || seen.length === 0 ? Infinity : Math.min(...seen);
  }

  /** The shortest round trip seen on any path: how long a hold without Retry-After lasts. */
  get roundTrip(): number {
    let best = Infinity;
    for (const seen of this.latencies.values()) for (const ms of seen) best = Math.min(best, ms);
    return Number.isFinite(best) ? best : 0;
  }

  private record(path: string, latencyMs: number): void {
    let seen = this.latencies.get(path);
    if (!seen) {
      if (this.latencies.size >= ADAPTIVE.maxPaths) this.latencies.delete(this.latencies.keys().next().value!);
      seen = [];
      this.latencies.set(path, seen);
    }
    seen.push(latencyMs);
    if (seen.length > ADAPTIVE.floorWindow) seen.shift();
  }

  onOk(path: string, latencyMs: number, now: number): void {
    const floor = this.floor(path);
    this.record(path, latencyMs);
    if (!this.adaptive) return;
    this.recover(now);
    const binding = this.inFlight + this.waiters.length + 1 >= this.limit;
    if (!binding || latencyMs > Math.max(floor, 1) * ADAPTIVE.latencyTolerance + 5) return;
    const top = Math.min(this.cap ?? ADAPTIVE.max, ADAPTIVE.max);
    if (now < this.holdUntil) {
      // Held: only back up to what the service was serving when it last refused.
      if (this.limit < this.ceiling) this.limit = Math.min(this.ceiling, top, this.limit + 1);
      return;
    }
    if (this.limit < this.threshold) {
      this.limit = Math.min(top, this.limit + 1);
      return;
    }
    // One per round trip: a whole limit's worth of good answers adds one (counted, not summed as fractions).
    this.credit++;
    if (this.credit >= Math.floor(this.limit)) {
      this.credit = 0;
      this.limit = Math.min(top, this.limit + 1);
    }
  }

  /**
   * Ends an overload episode that has been quiet for `quietRoundTrips` of
   * the origin's shortest round trip since its last refusal and hold: the
   * limit and the threshold go back to what they were before it began.
   */
  recover(now: number): void {
    if (this.restoreTo === undefined || now - Math.max(this.lastOverloadAt, this.holdUntil) < ADAPTIVE.quietRoundTrips * Math.max(this.roundTrip, 1)) return;
    const top = Math.min(this.cap ?? ADAPTIVE.max, ADAPTIVE.max);
    this.limit = Math.min(top, Math.max(this.limit, this.restoreTo));
    this.threshold = Math.max(this.threshold, this.restoreTo);
    this.ceiling = Infinity;
    this.restoreTo = undefined;
  }

  onOverload(startedAt: number, now: number, retryAfterMs: number | undefined): void {
    this.overloads++;
    if (!this.adaptive) return;
    this.restoreTo ??= Math.floor(this.limit);
    this.lastOverloadAt = now;
    if (startedAt > this.lastCutAt) {
      this.limit = Math.max(1, Math.floor(this.limit * ADAPTIVE.backoff));
      this.lastCutAt = now;
      this.credit = 0;
    }
    if (this.inFlight > 0) {
      // The target refused while serving the others in flight: it takes no more than those.
      this.ceiling = this.inFlight;
      this.limit = Math.min(this.limit, this.ceiling);
    } else {
      this.ceiling = Math.floor(this.limit);
    }
    this.threshold = Math.floor(this.limit);
    this.holdUntil = Math.max(this.holdUntil, now + (retryAfterMs ?? this.roundTrip));
  }

  pump(): void {
    while (this.waiters.length > 0 && this.inFlight < Math.floor(this.limit)) this.waiters.splice(nextWaiter(this.waiters), 1)[0]!.grant();
  }

  stats(): OriginStats {
    return {
      origin: this.name,
      limit: Number.isFinite(this.limit) ? Math.floor(this.limit) : -1,
      inFlight: this.inFlight,
      waiting: this.waiters.length,
      ...(this.cap === undefined ? {} : { cap: this.cap }),
      tooManyRequests: this.tooManyRequests,
      overloads: this.overloads,
      waits: this.waits,
      waitedMs: Math.round(this.waitedMs),
    };
  }
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
