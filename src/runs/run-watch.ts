/**
 * Watching a run costs the same however many clients watch it. Each watched
 * run has one feed: at most one read of the run in flight at a time, whose
 * answer every waiting reader shares; while SSE clients are subscribed, one
 * poll loop asks the workflow only for the nodes changed since the version it
 * already has, and hands each change to every subscriber. Feeds nobody used
 * for a while are dropped.
 */
import { isLive } from '../graph/run-state';
import type { RunSnapshot, RunStore } from './run-store';

export interface RunWatchOptions {
  /** How often a subscribed run is polled (ms). */
  intervalMs: number;
  /** A GET reuses a snapshot this fresh (ms) instead of asking again. */
  freshMs?: number;
  /** Drop a feed nobody read or subscribed to for this long (ms). */
  idleMs?: number;
  /** Give up on subscribers after this many failed polls in a row. */
  maxFailures?: number;
}

export type WatchEvent = { snapshot: RunSnapshot } | { error: Error };
export type WatchListener = (event: WatchEvent) => void;

interface Feed {
  snapshot?: RunSnapshot;
  at: number;
  inflight?: Promise<RunSnapshot>;
  listeners: Set<WatchListener>;
  polling: boolean;
  usedAt: number;
}

export function createRunWatch(store: Pick<RunStore, 'refresh'>, opts: RunWatchOptions) {
  const freshMs = opts.freshMs ?? Math.min(opts.intervalMs, 25);
  const idleMs = opts.idleMs ?? 30_000;
  const maxFailures = opts.maxFailures ?? 20;
  const feeds = new Map<string, Feed>();

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [runId, feed] of feeds) if (feed.listeners.size === 0 && !feed.inflight && now - feed.usedAt > idleMs) feeds.delete(runId);
    },
    Math.max(1_000, idleMs / 2),
  );
  sweep.unref();

  function feedOf(runId: string): Feed {
    let feed = feeds.get(runId);
    if (!feed) {
      feed = { at: 0, listeners: new Set(), polling: false, usedAt: Date.now() };
      feeds.set(runId, feed);
    }
    feed.usedAt = Date.now();
    return feed;
  }

  /** One read in flight per run; everyone asking meanwhile gets its answer. */
  function refresh(runId: string, feed: Feed): Promise<RunSnapshot> {
    feed.inflight ??= (async () => {
      try {
        const snapshot = await store.refresh(runId, feed.snapshot);
        feed.snapshot = snapshot;
        feed.at = Date.now();
        return snapshot;
      } finally {
        feed.inflight = undefined;
      }
    })();
    return feed.inflight;
  }

  function isFinal(s: RunSnapshot | undefined): boolean {
    return s !== undefined && !isLive(s.view.status);
  }

  async function poll(runId: string, feed: Feed) {
    if (feed.polling) return;
    feed.polling = true;
    let failures = 0;
    try {
      while (feed.listeners.size > 0 && !isFinal(feed.snapshot)) {
        await new Promise((r) => setTimeout(r, opts.intervalMs));
        if (feed.listeners.size === 0) break;
        try {
          const snapshot = await refresh(runId, feed);
          failures = 0;
          for (const l of feed.listeners) l({ snapshot });
        } catch (err) {
          if (++failures >= maxFailures) {
            for (const l of feed.listeners) l({ error: err as Error });
            feed.listeners.clear();
          }
        }
      }
    } finally {
      feed.polling = false;
    }
  }

  return {
    /** The run now (or as read less than `freshMs` ago; a finished run as last read). */
    async read(runId: string): Promise<RunSnapshot> {
      const feed = feedOf(runId);
      if (feed.snapshot && (isFinal(feed.snapshot) || Date.now() - feed.at <= freshMs)) return feed.snapshot;
      try {
        return await refresh(runId, feed);
      } catch (err) {
        if (!feed.snapshot && feed.listeners.size === 0) feeds.delete(runId);
        throw err;
      }
    },
    /**
     * Calls `listener` at once with the current snapshot (every node counted as
     * changed), then with each newer one until the run ends or `unsubscribe`.
     */
    subscribe(runId: string, current: RunSnapshot, listener: WatchListener): () => void {
      const feed = feedOf(runId);
      feed.listeners.add(listener);
      listener({ snapshot: { ...(feed.snapshot ?? current), changed: null } });
      void poll(runId, feed);
      return () => {
        feed.listeners.delete(listener);
        feed.usedAt = Date.now();
      };
    },
    close(): void {
      clearInterval(sweep);
      feeds.clear();
    },
  };
}

export type RunWatch = ReturnType<typeof createRunWatch>;
