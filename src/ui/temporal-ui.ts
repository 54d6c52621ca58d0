/**
 * The Temporal Web UI behind Braid's sign-in: `/temporal/*` is passed to the
 * UI server (TEMPORAL_UI_UPSTREAM, which runs with publicPath `/temporal` and
 * is reachable only from Braid's hosts) once the request is signed in, by a
 * page session or the API token. The UI server itself has no sign-in of its
 * own short of an OIDC provider, and it holds a client certificate for the
 * whole cluster, so nothing reaches it except through here (`npm run
 * cluster` binds it to loopback; docker-compose does not publish it).
 *
 * Braid's own credentials stop here: the session cookie and the
 * `Authorization` header are not passed on.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';
import type { AppEnv } from '../api/types';
import { signInFirst } from './routes';
import { SESSION_COOKIE, type Session } from './session';

/** The path the Web UI is served at (its publicPath). */
export const TEMPORAL_UI_PATH = '/temporal';

/** A Cookie header without Braid's session cookie; undefined when nothing else is left. */
function otherCookies(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '' && !c.startsWith(`${SESSION_COOKIE}=`));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/**
 * `authenticated` says whether the request holds a credential or a page
 * session; a person without either gets the sign-in page, as on Braid's own.
 * `administers` says whether it is an administrator's: the Web UI shows and
 * changes every workflow of the namespace, whatever its project, so nobody
 * else gets past here (403).
 */
export function temporalUiRoutes(
  upstream: string,
  session: Session | undefined,
  authenticated: (c: Context<AppEnv>) => Promise<boolean>,
  administers: (c: Context<AppEnv>) => Promise<boolean>,
) {
  const app = new Hono<AppEnv>();
  const pass = async (c: Context<AppEnv>) => {
    if (!(await authenticated(c))) {
      const refused = (await signInFirst(session, c)) ?? c.text('sign in first', 401);
      return refused;
    }
    if (!(await administers(c))) return c.text("The Temporal Web UI is for Braid's administrators: it shows every project's runs.", 403);
    const url = new URL(c.req.url);
    const res = await proxy(`${upstream}${url.pathname}${url.search}`, {
      raw: c.req.raw,
      headers: {
        ...c.req.header(),
        authorization: undefined,
        cookie: otherCookies(c.req.header('cookie')),
        host: undefined,
        'x-forwarded-host': c.req.header('host'),
        'x-forwarded-proto': url.protocol.replace(':', ''),
      },
    }).catch(() => undefined);
    if (!res) return c.text('The Temporal Web UI is not answering.', 502);
    return res;
  };
  app.all(TEMPORAL_UI_PATH, pass);
  app.all(`${TEMPORAL_UI_PATH}/*`, pass);
  return app;
}
