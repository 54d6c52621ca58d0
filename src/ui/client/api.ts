/**
 * The pages call the same API as every other client. Signed-in pages send the
 * HttpOnly session cookie (same origin); a 401 sends the reader to sign in.
 */
import type { NodeStatus, RunStatus } from './types';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A 422's field errors (`$.nodes[1].data.url`). */
    readonly errors: readonly { path: string; message: string; line?: number; column?: number }[] = [],
  ) {
    super(message);
  }
}

export function signIn(): never {
  location.assign(`/ui/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  throw new ApiProblem(401, 'sign-in needed');
}

/** Where the project switcher keeps the reader's choice. */
export const PROJECT_KEY = 'braid.project';

/** The project the pages work in: the switcher's choice; none, the API's default (the reader's only project, else `default`). */
export function currentProject(): string | undefined {
  try {
    return localStorage.getItem(PROJECT_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const project = currentProject();
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(project ? { 'braid-project': project } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (res.status === 401) signIn();
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const problem = (body ?? {}) as { detail?: string; title?: string; errors?: { path: string; message: string }[] };
    throw new ApiProblem(res.status, problem.detail ?? problem.title ?? `HTTP ${res.status}`, problem.errors);
  }
  return body as T;
}

export const runPath = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;
export const runPagePath = (runId: string) => `/runs/${encodeURIComponent(runId)}`;
/** The editor on a saved workflow: its latest version, or the one given. */
export const editorPath = (name: string, version?: string) =>
  `/workflows/${encodeURIComponent(name)}/edit${version ? `?version=${encodeURIComponent(version)}` : ''}`;

export const NODE_STATUS_ORDER: readonly NodeStatus[] = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'canceled'];
export const RUN_STATUS_ORDER: readonly RunStatus[] = ['queued', 'running', 'paused', 'succeeded', 'failed', 'canceled', 'terminated', 'timed_out'];
