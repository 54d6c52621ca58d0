/** /v1/runs/:runId/events: a run as server-sent events, and how many streams one principal may hold. */
import { isLive } from '../../../graph/run-state';
import type { SSEStreamingApi } from 'hono/streaming';
import type { RunSnapshot } from '../../../runs/run-store';
import type { Metrics } from '../../metrics';
import type { RunWatch, WatchEvent } from '../../../runs/run-watch';
import { BraidError } from '../../../runs/errors';

/** Counts open event streams per principal; past `limit`, 429. */
export function streamQuota(limit: number) {
  const open = new Map<string, number>();
  return {
    /** Takes a stream for `who` (synchronously: streams opened together count together); the release gives it back. */
    take(who: string): () => void {
      const now = open.get(who) ?? 0;
      if (now >= limit) {
        throw new BraidError('rateLimited', `${now} event streams are open already (SSE_STREAMS_PER_PRINCIPAL=${limit}); close one first`, {
          headers: { 'retry-after': '5' },
        });
      }
      open.set(who, now + 1);
      return () => {
        const left = (open.get(who) ?? 1) - 1;
        if (left <= 0) open.delete(who);
        else open.set(who, left);
      };
    },
  };
}

/**
 * Streams a run: one `node` event per node state change (every node's state
 * first), then the whole run as `run` when it ends, or `error` when watching
 * fails. Writes go out in order, whatever the feed's pace.
 */
export async function followRun(
  stream: SSEStreamingApi,
  runId: string,
  first: RunSnapshot,
  watch: RunWatch,
  metrics?: Pick<Metrics, 'sseOpened' | 'sseClosed'>,
): Promise<void> {
  metrics?.sseOpened();
  const seen = new Map<string, string>();
  let seq = 0;
  // A live run's status as last sent: a pause or a resume is a `run` event too, and the stream stays open.
  let liveStatus = 'running';
  let unsubscribe = () => {};
  // Writes happen in order, one after another, whatever the feed's pace.
  let writing = Promise.resolve();
  const done = new Promise<void>((resolve) => {
    const onEvent = (event: WatchEvent) => {
      writing = writing.then(async () => {
        if (stream.aborted) return resolve();
        if ('error' in event) {
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ message: event.error.message }) });
          return resolve();
        }
        const { view, changed } = event.snapshot;
        for (const nodeId of changed ?? Object.keys(view.nodes)) {
          const node = view.nodes[nodeId];
          if (!node) continue;
          const key = JSON.stringify(node);
          if (seen.get(nodeId) === key) continue;
          seen.set(nodeId, key);
          await stream.writeSSE({ event: 'node', id: String(++seq), data: JSON.stringify({ runId, nodeId, ...node }) });
        }
        if (!isLive(view.status)) {
          await stream.writeSSE({ event: 'run', id: String(++seq), data: JSON.stringify(view) });
          resolve();
        } else if (view.status !== liveStatus) {
          liveStatus = view.status;
          await stream.writeSSE({ event: 'run', id: String(++seq), data: JSON.stringify(view) });
        }
      });
    };
    stream.onAbort(() => resolve());
    unsubscribe = watch.subscribe(runId, first, onEvent);
  });
  try {
    await done;
    unsubscribe();
    await writing;
  } finally {
    metrics?.sseClosed();
  }
}
