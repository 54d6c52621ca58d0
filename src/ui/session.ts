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
import { BOOTSTRAP_PRINCIPAL } from '../auth/roles';

export const SESSION_COOKIE = 'braid_session';
/** How long a sign-in lasts (seconds). */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/** Sessions by the sha256 of their cookie value, each with who signed in. */
export interface SessionStore {
  put(idHash: string, expiresAtMs: number, principal: string): Promise<void>;
  /** The principal of a live session; undefined for none or an expired one. */
  principal(idHash: string): Promise<string | undefined>;
  remove(idHash: string): Promise<void>;
}

/** Sessions in this process's memory, at most `max` (the oldest go first). */
export function memorySessions(max = 10_000): SessionStore {
  const sessions = new Map<string, { expiresAtMs: number; principal: string }>();
  return {
    async put(idHash, expiresAtMs, principal) {
      const now = Date.now();
      for (const [k, s] of sessions) if (s.expiresAtMs <= now || sessions.size >= max) sessions.delete(k);
      sessions.set(idHash, { expiresAtMs, principal });
    },
    async principal(idHash) {
      const s = sessions.get(idHash);
      return s !== undefined && s.expiresAtMs > Date.now() ? s.principal : undefined;
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
    /** Who the request's live session cookie signed in as; undefined without one. */
    async principal(c: Context): Promise<string | undefined> {
      const given = getCookie(c, SESSION_COOKIE);
      if (!given || !/^[A-Za-z0-9_-]{43}$/.test(given)) return undefined;
      return store.principal(hashOf(given));
    },
    /** Whether the request carries a live session cookie. */
    async valid(c: Context): Promise<boolean> {
      return (await this.principal(c)) !== undefined;
    },
    /** Whether `candidate` is the API token (constant time). */
    matches(candidate: string): boolean {
      return timingSafeEqual(createHmac('sha256', 'braid token check').update(candidate).digest(), tokenDigest);
    },
    /** Starts a session for `principal` (the token's holder by default) and sets its cookie. */
    async start(c: Context, principal: string = BOOTSTRAP_PRINCIPAL): Promise<void> {
      const id = randomBytes(32).toString('base64url');
      await store.put(hashOf(id), Date.now() + SESSION_MAX_AGE_S * 1000, principal);
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
