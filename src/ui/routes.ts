/**
 * The pages: /runs (recent runs), /runs/:runId (one run, live), /workflows
 * (saved workflows), /editor and /workflows/:name/edit (the graph editor),
 * their assets, and sign-in when `API_TOKEN` is set. Each page is a shell;
 * its script reads the API like any other client.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../api/types';
import type { Assets } from './assets';
import { appPage, loginPage, type PageScript } from './pages';
import { safeNext, type Session } from './session';
import { BOOTSTRAP_PRINCIPAL } from '../auth/roles';
import type { KeyStore } from '../store/keys';

export interface UiOptions {
  assets: Assets;
  /** Set when the API needs a token: pages then ask for it once. */
  session?: Session;
  apiToken?: string;
  /** Applied to sign-in attempts (the API's rate limit). */
  limiter: MiddlewareHandler<AppEnv>;
  /** People may sign in with OpenID Connect (src/ui/oidc.ts): the sign-in page links to it. */
  oidc?: boolean;
  /** API keys may sign in too (their session has the key's roles). */
  keys?: Pick<KeyStore, 'authenticate'>;
}

/**
 * Scripts and styles from this origin only: no inline script, no framing. The
 * one exception is styles that carry the response's nonce: the code editor
 * (CodeMirror) builds its styles at run time and gives them the nonce.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", NONCE],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/**
 * What a page asks before it shows anything: undefined when the request is
 * signed in (or the API has no token); else the sign-in page, or, for a
 * sign-in link (`?token=`, printed by `npm start`), a session and the same
 * address without the token in it.
 */
export async function signInFirst(session: Session | undefined, c: Context<AppEnv>, oidc = false): Promise<Response | undefined> {
  if (!session || (await session.valid(c))) return undefined;
  const url = new URL(c.req.url);
  const token = url.searchParams.get('token');
  if (token !== null && session.matches(token)) {
    await session.start(c);
    url.searchParams.delete('token');
    return c.redirect(url.pathname + url.search, 303);
  }
  c.header('cache-control', 'no-store');
  return c.html(loginPage(c.req.path + url.search, undefined, oidc), 401);
}

export function uiRoutes({ assets, session, apiToken, limiter, oidc = false, keys }: UiOptions) {
  const app = new Hono<AppEnv>();
  // Referrer-Policy same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the page's own form posts and writes, which the API refuses as cross-site.
  app.use('*', secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: false, referrerPolicy: 'same-origin' }));

  const page = (title: (c: Context) => string, script: PageScript) => async (c: Context<AppEnv>) => {
    c.header('cache-control', 'no-store');
    const nonce = (c as unknown as Context<{ Variables: { secureHeadersNonce?: string } }>).get('secureHeadersNonce');
    return (await signInFirst(session, c, oidc)) ?? c.html(appPage(title(c), script, session !== undefined, nonce));
  };

  app.get('/', (c) => c.redirect('/runs', 302));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get(
    '/runs',
    page(() => 'Runs', 'runs-page'),
  );
  app.get(
    '/runs/:runId',
    page((c) => `Run ${c.req.param('runId')}`, 'run-page'),
  );
  app.get(
    '/workflows',
    page(() => 'Workflows', 'workflows-page'),
  );
  app.get(
    '/editor',
    page(() => 'New workflow', 'editor-page'),
  );
  app.get(
    '/credentials',
    page(() => 'Credentials', 'credentials-page'),
  );
  app.get(
    '/team',
    page(() => 'Team', 'team-page'),
  );
  app.get(
    '/workflows/:name/edit',
    page((c) => `Edit ${c.req.param('name')}`, 'editor-page'),
  );

  app.get('/ui/login', (c) => c.html(loginPage(safeNext(c.req.query('next')), undefined, oidc)));
  app.post('/ui/login', limiter, async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    if (!session || !apiToken) return c.redirect(next, 303);
    const token = typeof form.token === 'string' ? form.token : '';
    // The API token, or a live API key: the session is its principal's (and has that key's roles).
    const principal = session.matches(token) ? BOOTSTRAP_PRINCIPAL : await keys?.authenticate(token);
    if (principal === undefined) return c.html(loginPage(next, 'That is not the API token or a live API key.', oidc), 401);
    await session.start(c, principal);
    return c.redirect(next, 303);
  });
  app.post('/ui/logout', async (c) => {
    await session?.end(c);
    return c.redirect('/ui/login', 303);
  });

  // The editor's script is ~490 KB (React, React Flow, dagre); gzip takes it to ~160 KB.
  app.get('/ui/assets/:file', compress(), async (c) => {
    const asset = await assets.get(c.req.param('file'));
    if (!asset) return c.notFound();
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    return c.body(asset.body, 200, { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache' });
  });

  return app;
}
