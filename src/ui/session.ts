/**
 * The pages' sign-in. A page asks for the API token once (or takes it from a
 * `?token=` sign-in link, as Jupyter's does) and gets a session: a random
 * value in an HttpOnly, SameSite=Strict cookie, known to the server (Braid's
 * database, or memory for an app without one) until it expires or the person
 * signs out. The page's scripts never see the token; a session proves
 * nothing about the token and ends at logout. Bearer tokens keep working for
 * everyone else.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'braid_session';
/** How long a sign-in lasts (seconds). */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/** Sessions by the sha256 of their cookie value. */
export interface SessionStore {
  put(idHash: string, expiresAtMs: number): Promise<void>;
  valid(idHash: string): Promise<boolean>;
  remove(idHash: string): Promise<void>;
}

/** Sessions in this process's memory, at most `max` (the oldest go first). */
export function memorySessions(max = 10_000): SessionStore {
  const sessions = new Map<string, number>();
  return {
    async put(idHash, expiresAtMs) {
      const now = Date.now();
      for (const [k, exp] of sessions) if (exp <= now || sessions.size >= max) sessions.delete(k);
      sessions.set(idHash, expiresAtMs);
    },
    async valid(idHash) {
      const exp = sessions.get(idHash);
      return exp !== undefined && exp > Date.now();
    },
    async remove(idHash) {
      sessions.delete(idHash);
    },
  };
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');
const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

export function createSession(token: string, store: SessionStore = memorySessions()) {
  const tokenDigest = createHmac('sha256', 'braid token check').update(token).digest();
  return {
    /** Whether the request carries a live session cookie. */
    async valid(c: Context): Promise<boolean> {
      const given = getCookie(c, SESSION_COOKIE);
      if (!given || !/^[A-Za-z0-9_-]{43}$/.test(given)) return false;
      return store.valid(hashOf(given));
    },
    /** Whether `candidate` is the API token (constant time). */
    matches(candidate: string): boolean {
      return timingSafeEqual(createHmac('sha256', 'braid token check').update(candidate).digest(), tokenDigest);
    },
    /** Starts a session and sets its cookie. */
    async start(c: Context): Promise<void> {
      const id = randomBytes(32).toString('base64url');
      await store.put(hashOf(id), Date.now() + SESSION_MAX_AGE_S * 1000);
      setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Strict', secure: isHttps(c), path: '/', maxAge: SESSION_MAX_AGE_S });
    },
    /** Ends the request's session, on the server and in the browser. */
    async end(c: Context): Promise<void> {
      const given = getCookie(c, SESSION_COOKIE);
      if (given) await store.remove(hashOf(given));
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
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
