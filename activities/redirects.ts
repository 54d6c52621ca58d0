/** Redirects, followed by Braid so that headers carrying a secret never reach another origin. */
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';

/** Headers that hold credentials whatever their value: dropped on a redirect to another origin, as browsers drop `Authorization`. */
export const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export interface Sent {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
  dispatcher: Dispatcher;
}

/**
 * Follows redirects itself (fetch's own following keeps custom headers on
 * every origin): a hop to another origin drops the headers that carry a
 * secret; 303, and 301/302 after a POST, go on as a GET without a body.
 * Each hop connects through the guarded dispatcher, so the address policy
 * holds for every one.
 */
export async function fetchFollowing(url: string, first: Sent, secretHeaders: Set<string>): Promise<Awaited<ReturnType<typeof fetch>>> {
  let current = new URL(url);
  let sent = first;
  const origin = current.origin;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { ...sent, redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null || hop >= MAX_REDIRECTS) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return response;
    const asGet = response.status === 303 || ((response.status === 301 || response.status === 302) && sent.method === 'POST');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(sent.headers)) {
      if (next.origin !== origin && secretHeaders.has(k)) continue;
      if (asGet && k.toLowerCase() === 'content-type') continue;
      headers[k] = v;
    }
    sent = { ...sent, headers, ...(asGet ? { method: sent.method === 'HEAD' ? 'HEAD' : 'GET', body: undefined } : {}) };
    current = next;
  }
}
