/**
 * A local HTTP server that tests and benchmarks call from `http` nodes. It
 * records every request (start, end, whether the client aborted) so tests can
 * prove overlap, ordering and cancellation without reading clocks in asserts.
 *
 *   GET /delay/:ms          answers {"ok":true} after ms milliseconds
 *   GET /status/:code       answers with that status
 *   GET /flaky/:key/:n      fails with 503 the first n times per key, then 200
 *   GET /big/:bytes         answers a body of that many bytes
 *   ANY /echo               answers the method, headers, query and body it got
 *   GET /redirect?to=URL    302 to URL
 *   GET /limited/:max/:ms   a rate-limited service: serves at most max such
 *                           requests at once (each after ms), answers 429 with
 *                           `Retry-After: 1` to the rest
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** Order of this request's start and end among all events (a logical clock). */
  startTick: number;
  endTick?: number;
  aborted: boolean;
  /** The status answered (set when the response closes). */
  status?: number;
  inFlightAtStart: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpTarget {
  url: string;
  requests: RecordedRequest[];
  /** Highest number of requests in flight at once. */
  maxInFlight(): number;
  /** Requests whose path starts with `prefix`. */
  count(prefix: string): number;
  close(): Promise<void>;
}

export async function startHttpTarget(listenPort = 0): Promise<HttpTarget> {
  const requests: RecordedRequest[] = [];
  const flaky = new Map<string, number>();
  let limitedInFlight = 0;
  let tick = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (parts[0] === 'delay') {
      const ms = Number(parts[1] ?? 0);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        res.once('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) return;
      return json(200, { ok: true, ms, path: url.pathname });
    }
    if (parts[0] === 'limited') {
      if (limitedInFlight >= Number(parts[1] ?? 1)) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end('{"error":"too many requests"}');
      }
      limitedInFlight++;
      await new Promise((r) => setTimeout(r, Number(parts[2] ?? 0)));
      limitedInFlight--;
      return json(200, { ok: true });
    }
    if (parts[0] === 'status') return json(Number(parts[1]), { status: Number(parts[1]) });
    if (parts[0] === 'flaky') {
      const key = parts[1] ?? '';
      const seen = flaky.get(key) ?? 0;
      flaky.set(key, seen + 1);
      return seen < Number(parts[2] ?? 0) ? json(503, { attempt: seen + 1 }) : json(200, { attempt: seen + 1 });
    }
    if (parts[0] === 'big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('x'.repeat(Number(parts[1] ?? 0)));
    }
    if (parts[0] === 'echo') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return json(200, {
        method: req.method,
        headers: req.headers,
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString('utf8'),
      });
    }
    if (parts[0] === 'redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return res.end();
    }
    json(404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const rec: RecordedRequest = {
      seq: requests.length,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      startTick: ++tick,
      aborted: false,
      inFlightAtStart: inFlight,
      headers: req.headers,
    };
    requests.push(rec);
    res.once('close', () => {
      inFlight--;
      rec.endTick = ++tick;
      rec.aborted = !res.writableFinished;
      rec.status = res.statusCode;
    });
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    count: (prefix) => requests.filter((r) => r.path.startsWith(prefix)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The most of these requests in flight at once, by the target's logical clock (an unfinished one counts until the end). */
export function mostAtOnce(requests: readonly RecordedRequest[]): number {
  const events = requests.flatMap((r) => [
    { tick: r.startTick, d: 1 },
    { tick: r.endTick ?? Infinity, d: -1 },
  ]);
  events.sort((a, b) => a.tick - b.tick);
  let now = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (now += e.d));
  return most;
}
