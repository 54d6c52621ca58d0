/**
 * The pages call the same API as every other client. Signed-in pages send the
 * HttpOnly session cookie (same origin); a 401 sends the reader to sign in.
 */
import type { NodeStatus, RunStatus } from './types';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function signIn(): never {
  location.assign(`/ui/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  throw new ApiProblem(401, 'sign-in needed');
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (res.status === 401) signIn();
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const problem = (body ?? {}) as { detail?: string; title?: string };
    throw new ApiProblem(res.status, problem.detail ?? problem.title ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export const runPath = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;
export const runPagePath = (runId: string) => `/runs/${encodeURIComponent(runId)}`;

export const NODE_STATUS_ORDER: readonly NodeStatus[] = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'canceled'];
export const RUN_STATUS_ORDER: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'canceled', 'terminated', 'timed_out'];
