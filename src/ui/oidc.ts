/**
 * People sign in to the pages with OpenID Connect: the authorization code
 * flow with PKCE (S256), a state and a nonce, through openid-client. The
 * verifier, state and nonce wait in a short-lived HttpOnly cookie scoped to
 * /ui/oidc (SameSite=Lax: the provider's redirect back is a top-level GET);
 * the callback checks all three, validates the ID token, and starts a page
 * session for `oidc:<subject>`. What the person may do comes from their
 * roles (and BRAID_ADMINS), like a key's.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';
import type { OidcSettings } from '../config';
import type { Logger } from '../logger';
import type { AppEnv } from '../api/types';
import type { Session } from './session';
import { safeNext } from './session';

const FLOW_COOKIE = 'braid_oidc';
const FLOW_MAX_AGE_S = 600;
export const OIDC_CALLBACK_PATH = '/ui/oidc/callback';

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export function oidcRoutes(settings: OidcSettings, session: Session, logger: Logger) {
  const issuer = new URL(settings.issuer);
  const redirectUri = new URL(OIDC_CALLBACK_PATH, settings.publicUrl).toString();
  let discovered: Promise<client.Configuration> | undefined;
  // Discovery once, and again after a failure; plain HTTP only for an issuer on this machine (tests, a local provider).
  const configuration = () =>
    (discovered ??= client
      .discovery(issuer, settings.clientId, settings.clientSecret, undefined, isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      }));
  const secure = (c: Context) => new URL(settings.publicUrl).protocol === 'https:' || new URL(c.req.url).protocol === 'https:';

  const app = new Hono<AppEnv>();
  app.get('/ui/oidc/login', async (c) => {
    const flow: Flow = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
      next: safeNext(c.req.query('next')),
    };
    const config = await configuration();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    setCookie(c, FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure(c),
      path: '/ui/oidc',
      maxAge: FLOW_MAX_AGE_S,
    });
    return c.redirect(url.toString(), 302);
  });

  app.get(OIDC_CALLBACK_PATH, async (c) => {
    const raw = getCookie(c, FLOW_COOKIE);
    deleteCookie(c, FLOW_COOKIE, { path: '/ui/oidc', secure: secure(c) });
    let flow: Flow;
    try {
      flow = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as Flow;
      if (typeof flow.verifier !== 'string' || typeof flow.state !== 'string' || typeof flow.nonce !== 'string') throw new Error('incomplete');
    } catch {
      return c.text('This sign-in was not started here, or took longer than 10 minutes. Start again from the sign-in page.', 400);
    }
    const current = new URL(c.req.url);
    const callback = new URL(OIDC_CALLBACK_PATH + current.search, settings.publicUrl);
    try {
      const tokens = await client.authorizationCodeGrant(await configuration(), callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const subject = tokens.claims()?.sub;
      if (!subject) throw new Error('the ID token has no subject');
      await session.start(c, `oidc:${subject}`);
      return c.redirect(safeNext(flow.next), 303);
    } catch (err) {
      logger.warn('an OpenID Connect sign-in failed', { err: err instanceof Error ? err.message : String(err) });
      return c.text('The sign-in did not succeed. Start again from the sign-in page.', 401);
    }
  });
  return app;
}
