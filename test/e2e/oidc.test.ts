/**
 * People sign in with OpenID Connect against a real provider started here
 * (panva's oidc-provider, a certified OpenID Provider, on loopback): the
 * authorization code flow with PKCE through the provider's own login and
 * consent forms, driven as a browser would (redirects, cookies, form posts).
 * The person's principal is `oidc:<subject>`; with no role they see nothing,
 * with a viewer's role they read and cannot start; a callback whose state
 * was not issued starts no session.
 */
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { freePort } from '../../src/temporal/free-port';
import { createFakeRunStore } from '../helpers/fake-run-store';

const TOKEN = 'oidc-test-token-0123456789abcdef';
let op: Server;
let issuer: string;
let braid: string;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  issuer = `http://127.0.0.1:${await freePort()}`;
  braid = `http://127.0.0.1:${await freePort()}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'braid',
        client_secret: 'braid-client-secret',
        redirect_uris: [`${braid}/ui/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // A static directory: whoever signs in as "ada" is the account "ada".
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, email: `${id}@example.com` }) }),
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-cookie-key'] },
  });
  op = provider.listen(new URL(issuer).port) as Server;
  app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 10_000,
      apiToken: TOKEN,
      publicUrl: braid,
      oidc: { issuer, clientId: 'braid', clientSecret: 'braid-client-secret', publicUrl: braid },
    },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    readiness: async () => ({ ready: true, checks: {} }),
  });
});
afterAll(async () => {
  await new Promise((r) => op?.close(r));
});

/** A browser's cookie jar, by origin. */
function jar() {
  const cookies = new Map<string, Map<string, string>>();
  return {
    header(url: string) {
      const found = cookies.get(new URL(url).origin);
      return found ? [...found].map(([k, v]) => `${k}=${v}`).join('; ') : '';
    },
    take(url: string, res: Response) {
      const origin = new URL(url).origin;
      const mine = cookies.get(origin) ?? new Map<string, string>();
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = pair!.split('=');
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) mine.delete(name!.trim());
        else mine.set(name!.trim(), value.join('='));
      }
      cookies.set(origin, mine);
    },
  };
}

/** One request as a browser makes it: to Braid through app.request, to the provider over HTTP. */
async function browse(cookies: ReturnType<typeof jar>, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string>), cookie: cookies.header(url) };
  const res = url.startsWith(braid) ? await app.request(url, { ...init, headers }) : await fetch(url, { ...init, headers, redirect: 'manual' });
  cookies.take(url, res);
  return res;
}

/** Signs in as `login` through the provider's forms; the last answer (Braid's callback). */
async function signIn(cookies: ReturnType<typeof jar>, login: string): Promise<Response> {
  let url = `${braid}/ui/oidc/login?next=/runs`;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const res = await browse(cookies, url, init);
    init = {};
    const location = res.headers.get('location');
    if (url.startsWith(`${braid}/ui/oidc/callback`)) return res;
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    // The provider's login or consent form: fill it in and submit it.
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error(`no form at ${url}: ${res.status} ${page.slice(0, 200)}`);
    url = new URL(action, url).toString();
    const hidden = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const fields: Record<string, string> = /name="login"/.test(page) ? { ...hidden, login, password: 'anything' } : hidden;
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
  }
  throw new Error('the sign-in did not come back to Braid');
}

describe('signing in with OpenID Connect', () => {
  it('signs a person in as oidc:<subject>, who sees only what their role allows', async () => {
    const cookies = jar();
    const back = await signIn(cookies, 'ada');
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/runs');
    const asAda = (path: string, init: RequestInit = {}) => browse(cookies, `${braid}${path}`, init);
    expect(await (await asAda('/v1/whoami')).json()).toEqual({ principal: 'oidc:ada', admin: false, roles: {} });
    expect((await asAda('/v1/runs')).status).toBe(404);
    const grant = await app.request(`${braid}/v1/projects/default/members/oidc:ada`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(grant.status).toBe(201);
    expect((await asAda('/v1/runs')).status).toBe(200);
    const start = await asAda('/v1/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: braid },
      body: JSON.stringify({ workflow: { nodes: [] } }),
    });
    expect(start.status).toBe(403);
  });

  it('starts no session from a callback it did not begin', async () => {
    const cookies = jar();
    const forged = await browse(cookies, `${braid}/ui/oidc/callback?code=stolen&state=guessed`);
    expect(forged.status).toBe(400);
    // Begun here, but answered with another state: refused, and still no session.
    await browse(cookies, `${braid}/ui/oidc/login`);
    const mixed = await browse(cookies, `${braid}/ui/oidc/callback?code=stolen&state=guessed&iss=${encodeURIComponent(issuer)}`);
    expect(mixed.status).toBe(401);
    expect((await browse(cookies, `${braid}/v1/whoami`)).status).toBe(401);
  });

  it('links to it from the sign-in page', async () => {
    expect(await (await app.request(`${braid}/ui/login`)).text()).toContain('/ui/oidc/login');
  });
});
