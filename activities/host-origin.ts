/**
 * One origin of the host limiter (host-limiter.ts says how its limit moves
 * and why): its limit, its requests in flight, its waiters in the order they
 * are served, and what metrics read of it.
 */

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

export interface Waiter {
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

export class Origin {
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
