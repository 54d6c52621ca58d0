/**
 * The pages' sign-in. Behind `API_TOKEN` a page asks for the token once and
 * keeps a session value derived from it in an HttpOnly cookie: the page's
 * scripts never see the token, it never sits in a URL, and a leaked cookie
 * does not reveal the token itself. The same cookie authenticates the page's
 * calls to /v1 (see app.ts); bearer tokens keep working for everyone else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'braid_session';
/** How long a sign-in lasts (seconds). */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/** The cookie value for a token: an HMAC keyed by the token, so it proves the token without carrying it. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('braid ui session v1').digest('base64url');
}

export function createSession(token: string) {
  const expected = Buffer.from(sessionValue(token));
  return {
    /** Whether the request carries a valid session cookie. */
    valid(c: Context): boolean {
      const given = getCookie(c, SESSION_COOKIE);
      if (!given) return false;
      const bytes = Buffer.from(given);
      return bytes.length === expected.length && timingSafeEqual(bytes, expected);
    },
    /** Whether `candidate` is the API token (constant time). */
    matches(candidate: string): boolean {
      const a = createHmac('sha256', 'braid token check').update(candidate).digest();
      const b = createHmac('sha256', 'braid token check').update(token).digest();
      return timingSafeEqual(a, b);
    },
  };
}

export type Session = ReturnType<typeof createSession>;

/**
 * Where to go after signing in: a path on this site only (no scheme, no
 * `//host`, no backslash tricks), else the runs list.
 */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || [...next].some((ch) => ch.charCodeAt(0) < 0x20)) return '/runs';
  return next;
}
