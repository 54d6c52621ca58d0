/** Cross-cutting middleware: auth, rate limit, content type, request log. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger';
import type { Session } from '../ui/session';
import { ApiError } from './problem';
import type { AppEnv } from './types';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <token>`, compared in constant time. */
export function bearerAuth(token: string): MiddlewareHandler<AppEnv> {
  const expected = digest(token);
  const challenge = { 'www-authenticate': 'Bearer realm="braid"' };
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError('unauthorized', 'this endpoint needs "Authorization: Bearer <token>"', { headers: challenge });
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new ApiError('unauthorized', 'the bearer token is not valid', {
        headers: { 'www-authenticate': 'Bearer realm="braid", error="invalid_token"' },
      });
    }
    await next();
  };
}

/**
 * The pages' sign-in cookie or a bearer token. A cookie-authenticated write
 * must come from this origin (SameSite=Strict already keeps other sites'
 * requests cookie-less; this also refuses a same-site neighbour).
 */
export function sessionOrBearer(session: Session, bearer: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.header('authorization') === undefined && session.valid(c)) {
      const origin = c.req.header('origin');
      const unsafe = c.req.method !== 'GET' && c.req.method !== 'HEAD';
      if (unsafe && origin !== undefined && origin !== new URL(c.req.url).origin && new URL(origin).host !== c.req.header('host')) {
        throw new ApiError('forbidden', `a signed-in page may only write from its own origin, not ${origin}`);
      }
      return next();
    }
    return bearer(c, next);
  };
}

/**
 * A fixed one-minute window per client (remote address, or the token when
 * auth is on). Answers 429 with `Retry-After`. In memory: one API process.
 */
export function rateLimit(perMinute: number, clientKey: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string): MiddlewareHandler<AppEnv> {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    if (perMinute <= 0) return next();
    const now = Date.now();
    const key = clientKey(c);
    let w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) for (const [k, v] of windows) if (now - v.start >= 60_000) windows.delete(k);
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    c.header('ratelimit-limit', String(perMinute));
    c.header('ratelimit-remaining', String(Math.max(0, perMinute - w.count)));
    if (w.count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
      throw new ApiError('rateLimited', `more than ${perMinute} requests per minute; retry in ${retryAfter} s`, {
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
      throw new ApiError('unsupportedMediaType', `content-type must be application/json, got ${type ? `"${type}"` : 'none'}`);
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
