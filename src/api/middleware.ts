/** Cross-cutting middleware: auth, rate limit, content type, request log. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import type { Logger } from '../logger';
import type { Session } from '../ui/session';
import type { AppEnv } from './types';
import { BraidError } from '../runs/errors';
import { BOOTSTRAP_PRINCIPAL } from '../auth/roles';
import type { KeyStore } from '../store/keys';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `Authorization: Bearer <token>`: the bootstrap token (compared in constant
 * time; an administrator), or an API key from `keys` (its principal
 * `key:<id>`; an administrator when `admins` names it).
 */
export function bearerAuth(token: string, keys?: KeyStore, admins: readonly string[] = []): MiddlewareHandler<AppEnv> {
  const expected = digest(token);
  const challenge = { 'www-authenticate': 'Bearer realm="braid"' };
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new BraidError('unauthorized', 'this endpoint needs "Authorization: Bearer <token>"', { headers: challenge });
    const bootstrap = timingSafeEqual(digest(match[1]!), expected);
    const key = bootstrap ? undefined : await keys?.authenticateWithRoles(match[1]!);
    const principal = bootstrap ? BOOTSTRAP_PRINCIPAL : key?.principal;
    if (principal === undefined) {
      throw new BraidError('unauthorized', 'the bearer token is not valid', {
        headers: { 'www-authenticate': 'Bearer realm="braid", error="invalid_token"' },
      });
    }
    c.set('principal', principal);
    c.set('admin', principal === BOOTSTRAP_PRINCIPAL || admins.includes(principal));
    // A key's roles came with it: the permission check reads nothing more (authorize.ts).
    if (key) c.set('roles', key.roles);
    await next();
  };
}

/** Whether the request is an administrator's (by page session or bearer), without answering 401; true when the API has no token. */
export function adminCheck(auth: MiddlewareHandler<AppEnv> | undefined, session: Session | undefined, admins: readonly string[]) {
  return async (c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<boolean> => {
    if (!auth) return true;
    const principal = c.req.header('authorization') === undefined ? await session?.principal(c) : undefined;
    if (principal !== undefined) return principal === BOOTSTRAP_PRINCIPAL || admins.includes(principal);
    return auth(c, async () => undefined).then(
      () => c.get('admin') === true,
      () => false,
    );
  };
}

/** The pages' sign-in cookie or a bearer token. */
export function sessionOrBearer(session: Session, bearer: MiddlewareHandler<AppEnv>, admins: readonly string[] = []): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.req.header('authorization') === undefined ? await session.principal(c) : undefined;
    if (principal !== undefined) {
      // A page session: the token's holder, or a person who signed in with OpenID Connect.
      c.set('principal', principal);
      c.set('admin', principal === BOOTSTRAP_PRINCIPAL || admins.includes(principal));
      return next();
    }
    return bearer(c, next);
  };
}

/**
 * Whether a request carries a credential (the token, or a page session),
 * without answering 401: what a public route may show depends on it.
 */
export function credentialCheck(auth: MiddlewareHandler<AppEnv> | undefined, session: Session | undefined) {
  return async (c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<boolean> => {
    if (!auth) return true;
    if (c.req.header('authorization') === undefined && session && (await session.valid(c))) return true;
    return auth(c, async () => undefined).then(
      () => true,
      () => false,
    );
  };
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a Host header (no port, lower case, IPv6 brackets kept off). */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return bracketed[1];
  return h.replace(/:\d+$/, '');
}

/**
 * DNS rebinding: the API answers only the host names it serves (loopback
 * names, and the host of PUBLIC_URL), else 421. A page on another site whose
 * name was made to resolve to 127.0.0.1 sends its own name and is refused.
 */
export function hostCheck(publicHosts: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set([...LOOPBACK_NAMES, ...publicHosts.map((h) => h.toLowerCase())]);
  return async (c, next) => {
    const name = hostName(c.req.header('host') ?? new URL(c.req.url).host);
    if (name === undefined || !(allowed.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name))) {
      throw new BraidError('misdirected', `this server does not answer for host "${name ?? ''}"; set PUBLIC_URL to the address people use`);
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request from another site is refused whatever its
 * credential: `Sec-Fetch-Site: cross-site`, an `Origin` of another host, or
 * `Origin: null` (a sandboxed frame, a redirect, a file). Senders that are
 * not browsers (curl, webhooks, SDKs) send neither and pass.
 */
export function refuseCrossSite(exempt: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => boolean = () => false): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || exempt(c)) return next();
    if (c.req.header('sec-fetch-site') === 'cross-site') throw new BraidError('forbidden', 'a request from another site may not change anything here');
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined; // "null" and anything else that is not a URL
      }
      if (host === undefined || host.toLowerCase() !== (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase()) {
        throw new BraidError(
          'forbidden',
          `a request from ${origin === 'null' ? 'an opaque origin (Origin: null)' : `origin ${origin.slice(0, 200)}`} may not change anything here`,
        );
      }
    }
    await next();
  };
}

/**
 * The client's address: the socket's peer, or the first address in
 * `X-Forwarded-For` added by a proxy in TRUSTED_PROXIES (only then).
 */
export function clientAddress(c: Parameters<MiddlewareHandler<AppEnv>>[0], trustedProxies: TrustedProxies): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const peer = (incoming?.socket?.remoteAddress ?? 'local').replace(/^::ffff:/, '');
  if (!trustedProxies.has(peer)) return peer;
  // Rightmost address a trusted proxy did not add: walk back over trusted hops.
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^::ffff:/, ''))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.has(hops[i]!)) return hops[i]!;
  return peer;
}

export interface TrustedProxies {
  has(address: string): boolean;
}

/** TRUSTED_PROXIES entries: addresses or CIDRs (`10.0.0.5`, `172.16.0.0/12`). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const nets = entries
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) =>
      ipaddr.isValidCIDR(e) ? ipaddr.parseCIDR(e) : ([ipaddr.parse(e), ipaddr.parse(e).kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number]),
    );
  return {
    has(address) {
      if (!ipaddr.isValid(address)) return false;
      const a = ipaddr.process(address);
      return nets.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
    },
  };
}

/** Fixed one-minute windows per key, in bounded memory (past `max` keys the oldest windows go). */
export class MinuteWindows {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly max = 10_000) {}

  /** Counts one for `key`; its count in the current window and when that window ends. */
  hit(key: string, now = Date.now()): { count: number; resetMs: number } {
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (w) this.windows.delete(key);
      while (this.windows.size >= this.max) this.windows.delete(this.windows.keys().next().value!);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetMs: w.start + 60_000 - now };
  }

  count(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w && now - w.start < 60_000 ? w.count : 0;
  }

  get size(): number {
    return this.windows.size;
  }
}

/** Failed authentications an address may make in a minute before it gets 429 for the rest of it. */
export const FAILED_AUTH_PER_MINUTE = 20;

/**
 * Counts failed authentications (401 answers) per client address: past
 * FAILED_AUTH_PER_MINUTE in a minute, every request from that address is a
 * 429 until the minute ends, whatever RATE_LIMIT_PER_MINUTE says.
 */
export function failedAuthLimit(address: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string, windows = new MinuteWindows()): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = address(c);
    if (windows.count(key) >= FAILED_AUTH_PER_MINUTE) {
      const { resetMs } = windows.hit(key);
      const retryAfter = Math.max(1, Math.ceil(resetMs / 1000));
      throw new BraidError('rateLimited', `more than ${FAILED_AUTH_PER_MINUTE} failed sign-ins a minute from this address; retry in ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    try {
      await next();
    } catch (err) {
      if (err instanceof BraidError && err.kind === 'unauthorized') windows.hit(key);
      throw err;
    }
    if (c.res.status === 401) windows.hit(key);
  };
}

/**
 * A fixed one-minute window per client: the authenticated principal, else
 * the client's address. Answers 429 with `Retry-After`. In memory: one API
 * process; bounded.
 */
export function rateLimit(perMinute: number, clientKey: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string): MiddlewareHandler<AppEnv> {
  const windows = new MinuteWindows();
  return async (c, next) => {
    if (perMinute <= 0) return next();
    const { count, resetMs } = windows.hit(clientKey(c));
    c.header('ratelimit-limit', String(perMinute));
    c.header('ratelimit-remaining', String(Math.max(0, perMinute - count)));
    if (count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil(resetMs / 1000));
      throw new BraidError('rateLimited', `more than ${perMinute} requests per minute; retry in ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    await next();
  };
}

/** POST and PUT bodies must be JSON. */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'POST' || c.req.method === 'PUT') {
    const type = c.req.header('content-type') ?? '';
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined || type !== '';
    if (hasBody && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new BraidError('unsupportedMediaType', `content-type must be application/json, got ${type ? `"${type}"` : 'none'}`);
    }
  }
  await next();
};

/** One structured line per request. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
      requestId: c.get('requestId'),
    });
  };
}
