/**
 * The chaos runner's HTTP target. `GET /chaos/<runId>/<nodeId>?ms=&fail=`
 * waits `ms`, then answers 200, or 400 when `fail=1` (a client error: the
 * node fails without retries). Every request is recorded with its start time,
 * so the runner can count duplicates and tell whether a crash explains them.
 * `GET /keyed/<key>/<limit>/<runId>?ms=` (scripts/chaos/flow.ts) counts the
 * requests of a key in flight, and records each time there are more than its limit.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChaosTarget {
  url: string;
  /** Start times (ms since epoch) of the requests for a run's node. */
  hits(runId: string, nodeId: string): number[];
  /** Keys of `/keyed/` requests, with the most in flight at once seen for each. */
  mostInFlight(): Map<string, { most: number; limit: number }>;
  close(): Promise<void>;
}

export async function startChaosTarget(): Promise<ChaosTarget> {
  const hits = new Map<string, number[]>();
  const keyed = new Map<string, { now: number; most: number; limit: number }>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://target');
    const [, kind, runId, nodeId] = url.pathname.split('/').map(decodeURIComponent);
    if (kind === 'keyed' && runId && nodeId) {
      // runId is the key here, nodeId its limit: requests of one key in flight, counted until each closes (answered or aborted).
      const k = keyed.get(runId) ?? { now: 0, most: 0, limit: Number(nodeId) };
      keyed.set(runId, k);
      k.most = Math.max(k.most, ++k.now);
      res.once('close', () => k.now--);
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), Number(url.searchParams.get('ms') ?? 0));
      return;
    }
    if (kind !== 'chaos' || !runId || !nodeId) {
      res.writeHead(404).end();
      return;
    }
    const key = `${runId}\u0000${nodeId}`;
    hits.set(key, [...(hits.get(key) ?? []), Date.now()]);
    const fail = url.searchParams.get('fail') === '1';
    setTimeout(
      () => {
        res.writeHead(fail ? 400 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ runId, nodeId, ok: !fail }));
      },
      Number(url.searchParams.get('ms') ?? 0),
    );
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (runId, nodeId) => hits.get(`${runId}\u0000${nodeId}`) ?? [],
    mostInFlight: () => new Map([...keyed].map(([key, k]) => [key, { most: k.most, limit: k.limit }])),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
