/**
 * The pages' server side through `app.request()`: shells without inline
 * script, the CSP, assets built from src/ui/client, sign-in and the session
 * cookie (which the /v1 API accepts from the page's own origin), the run's
 * definition endpoint.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { safeNext } from '../../src/ui/session';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';

const TOKEN = 'ui-secret-token';

function setup(apiToken?: string) {
  const fake = createFakeRunStore();
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 0,
      apiToken,
      publicUrl: 'https://braid.local',
    },
    logger: silentLogger,
    runStore: fake.store,
    readiness: async () => ({ ready: true, checks: {} }),
  });
  return { app, fake };
}

/** Signs in with the token; the session cookie (`name=value`). */
async function signIn(app: ReturnType<typeof setup>['app']): Promise<string> {
  const res = await app.request('/ui/login', form({ token: TOKEN }));
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('pages', () => {
  it.each(['/runs', '/runs/some-run.child', '/workflows', '/editor', '/workflows/orders/edit'])(
    '%s is a shell: one module script from /ui/assets, no inline script or style, a strict CSP',
    async (path) => {
      const { app } = setup();
      const res = await app.request(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts).toHaveLength(1);
      expect(scripts[0]![1]).toMatch(/type="module" src="\/ui\/assets\/[a-z-]+\.js"/);
      expect(scripts[0]![2]).toBe('');
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      // Styles may also carry this response's nonce (the code editor builds its own), given to the page in a meta; scripts never.
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(html).toContain(`<meta name="style-nonce" content="${nonce}">`);
      expect(/script-src [^;]*nonce/.test(csp)).toBe(false);
      const again = (await app.request(path)).headers.get('content-security-policy')!;
      expect(again).not.toContain(nonce!);
    },
  );

  it('escapes what it echoes into a page', async () => {
    const { app } = setup();
    const html = await (await app.request('/runs/%3Cimg%20src%3Dx%3E')).text();
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;img src=x&gt;');
  });

  it('serves the built scripts and the stylesheet, with an ETag; 404 for anything else', async () => {
    const { app } = setup();
    for (const file of ['run-page.js', 'runs-page.js', 'workflows-page.js', 'layout-worker.js', 'editor-page.js', 'editor-page.css', 'style.css']) {
      const res = await app.request(`/ui/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(file.endsWith('.js') ? /text\/javascript/ : /text\/css/);
      const etag = res.headers.get('etag')!;
      expect((await app.request(`/ui/assets/${file}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
    expect((await app.request('/ui/assets/run-page.ts')).status).toBe(404);
    expect((await app.request('/ui/assets/..%2Fsession.ts')).status).toBe(404);
    // The run page does not carry the schema library (zod) along with the critical path.
    expect((await (await app.request('/ui/assets/run-page.js')).text()).length).toBeLessThan(100_000);
    // Nor do the other pages carry the editor's React.
    expect((await (await app.request('/ui/assets/workflows-page.js')).text()).length).toBeLessThan(20_000);
  });

  it("links the editor's own stylesheet (React Flow's, bundled) from the editor pages only", async () => {
    const { app } = setup();
    const editor = await (await app.request('/workflows/orders/edit')).text();
    expect(editor).toContain('<link rel="stylesheet" href="/ui/assets/editor-page.css">');
    expect(editor).toContain('<script type="module" src="/ui/assets/editor-page.js">');
    expect(await (await app.request('/runs')).text()).not.toContain('editor-page.css');
    expect(await (await app.request('/ui/assets/editor-page.css')).text()).toContain('.react-flow');
    const zipped = await app.request('/ui/assets/editor-page.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect((await zipped.arrayBuffer()).byteLength).toBeLessThan(250_000);
  });

  it('/ redirects to the runs list', async () => {
    const res = await setup().app.request('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/runs');
  });
});

describe('sign-in (API_TOKEN set)', () => {
  it('a page without a session answers 401 with the sign-in form, which returns to that page', async () => {
    const { app } = setup(TOKEN);
    const res = await app.request('/runs?workflow=orders');
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/ui/login"');
    expect(html).toContain('name="next" value="/runs?workflow=orders"');
  });

  it('a wrong token is refused; the right one sets an HttpOnly, SameSite=Strict cookie that is not the token, and redirects', async () => {
    const { app } = setup(TOKEN);
    const wrong = await app.request('/ui/login', form({ token: 'nope', next: '/runs' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const ok = await app.request('/ui/login', form({ token: TOKEN, next: '/runs/abc' }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/runs/abc');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^braid_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    // Behind TLS the cookie is Secure.
    const tls = await app.request('/ui/login', { ...form({ token: TOKEN }), headers: { ...form({}).headers, 'x-forwarded-proto': 'https' } });
    expect(tls.headers.get('set-cookie')).toContain('Secure');
  });

  it('the session opens the pages and the /v1 API; a write from another origin is refused', async () => {
    const { app } = setup(TOKEN);
    const cookie = await signIn(app);
    expect((await app.request('/runs', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('/v1/runs', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('/v1/runs', { headers: { cookie: 'braid_session=forged' } })).status).toBe(401);
    expect((await app.request('/v1/runs')).status).toBe(401);
    // The page never holds the token.
    expect(await (await app.request('/runs', { headers: { cookie } })).text()).not.toContain(TOKEN);

    const start = (origin: string) =>
      app.request('http://braid.local/v1/runs', {
        method: 'POST',
        headers: { cookie, origin, host: 'braid.local', 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: graph('ui').trigger().build() }),
      });
    expect((await start('http://evil.example')).status).toBe(403);
    expect((await start('http://braid.local')).status).toBe(201);
    // Metrics and the codec stay bearer-only.
    expect((await app.request('/metrics', { headers: { cookie } })).status).toBe(401);
  });

  it('sign-out clears the cookie and ends the session on the server: the same cookie opens nothing after', async () => {
    const { app } = setup(TOKEN);
    const cookie = await signIn(app);
    expect((await app.request('/v1/runs', { headers: { cookie } })).status).toBe(200);
    const res = await app.request('/ui/logout', { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^braid_session=; Max-Age=0; Path=\//);
    expect((await app.request('/v1/runs', { headers: { cookie } })).status).toBe(401);
    expect((await app.request('/runs', { headers: { cookie } })).status).toBe(401);
  });

  it('each sign-in is a session of its own, not a value derived from the token', async () => {
    const { app } = setup(TOKEN);
    expect(await signIn(app)).not.toBe(await signIn(app));
  });

  it('a sign-in link (?token=) starts a session and drops the token from the address; a wrong one does not', async () => {
    const { app } = setup(TOKEN);
    const res = await app.request(`/runs?workflow=orders&token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/runs?workflow=orders');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await app.request('/v1/runs', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('/runs?token=nope')).status).toBe(401);
  });

  it.each([
    ['/runs/a?b=c', '/runs/a?b=c'],
    ['//evil.example/x', '/runs'],
    ['https://evil.example', '/runs'],
    ['/\\evil.example', '/runs'],
    ['/runs\nSet-Cookie: x', '/runs'],
    [undefined, '/runs'],
  ])('after sign-in it goes to %j → %s (this site only)', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('GET /v1/runs/:runId/definition', () => {
  it('answers the definition the run was started with; 404 for an unknown run', async () => {
    const { app } = setup();
    const def = graph('orders').trigger().http('users', 'https://api.example.com/users').edge('start', 'users').build();
    const created = await app.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow: def }) });
    const { runId } = (await created.json()) as { runId: string };
    const res = await app.request(`/v1/runs/${runId}/definition`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(def);
    expect((await app.request('/v1/runs/nope/definition')).status).toBe(404);
  });
});
