/**
 * The Braid API as the CLI calls it: JSON requests with the token, problems
 * as errors, and a run's event stream as an async iterable.
 */
import { createParser } from 'eventsource-parser';
import type { RunView } from '../runs/run-store';

/** An RFC 9457 problem as the API answers it. */
export interface Problem {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** An API answer that is not what the command needed: its status, and the problem's detail and field errors. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The API could not be reached at all. */
export class ConnectFailure extends Error {
  override readonly name = 'ConnectFailure';
}

/** What watching a run yields: each node's state as it changes, then the run once it ends. */
export type WatchEvent = { kind: 'node'; nodeId: string; status: string; data: Record<string, unknown> } | { kind: 'run'; run: RunView };

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T>;
  getRun(runId: string): Promise<RunView>;
  /** Follows `GET /v1/runs/:id/events` until the run's end (the last event) or the stream's. */
  watchRun(runId: string): AsyncIterable<WatchEvent>;
}

export function createApiClient(options: { baseUrl: string; token?: string; project?: string }): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = (json: boolean): Record<string, string> => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.project ? { 'braid-project': options.project } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  });

  async function send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${baseUrl}${path}`, init);
    } catch (err) {
      throw new ConnectFailure(`cannot reach the Braid API at ${baseUrl} (BRAID_URL): ${String((err as Error).cause ?? (err as Error).message)}`);
    }
  }

  async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const res = await send(path, {
      method,
      headers: { ...headers(body !== undefined), ...extraHeaders },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw new ApiFailure(res.status, (parsed ?? {}) as Problem);
    return parsed as T;
  }

  async function* watchRun(runId: string): AsyncGenerator<WatchEvent> {
    const res = await send(`/v1/runs/${encodeURIComponent(runId)}/events`, { headers: headers(false) });
    if (!res.ok || !res.body) throw new ApiFailure(res.status, ((await res.json().catch(() => ({}))) ?? {}) as Problem);
    const pending: WatchEvent[] = [];
    let failure: Error | undefined;
    const parser = createParser({
      onEvent(event) {
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'node') pending.push({ kind: 'node', nodeId: String(data.nodeId), status: String(data.status), data });
        else if (event.event === 'run') pending.push({ kind: 'run', run: data as unknown as RunView });
        else if (event.event === 'error') failure ??= new Error(`watching failed: ${String(data.message)}`);
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
        if (failure) throw failure;
        for (const event of pending.splice(0)) {
          yield event;
          if (event.kind === 'run') return;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  return { baseUrl, request, getRun: (runId) => request<RunView>('GET', `/v1/runs/${encodeURIComponent(runId)}`), watchRun };
}
