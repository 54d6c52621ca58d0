/**
 * Attacks on the API's front door through `app.request()`, each of which
 * got through before: DNS rebinding (any Host answered), a cross-site POST
 * (with or without a body; `Origin: null` was a 500), unlimited guessing of
 * the token, a rate-limit bucket chosen by the caller's own Authorization
 * header or X-Forwarded-For, a sign-in form of any size, readiness detail
 * for anyone.
 */
import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { AppDeps, AppEnv } from '../../src/api/types';
import { clientAddress, FAILED_AUTH_PER_MINUTE, hostName, MinuteWindows, trustedProxies } from '../../src/api/middleware';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';
import { eventually } from '../helpers/sse';

const TOKEN = 'boundary-token-0123456789';
const bearer = { authorization: `Bearer ${TOKEN}` };

function setup(config: Partial<AppDeps['config']> = {}) {
  const fake = createFakeRunStore();
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 0,
      apiToken: TOKEN,
      ...config,
    },
    logger: silentLogger,
    runStore: fake.store,
    readiness: async () => ({ ready: true, checks: { temporal: { ok: true, detail: 'connected to 10.1.2.3:7233' } } }),
  });
  return { app, fake };
}

const startBody = () => JSON.stringify({ workflow: graph('x').trigger().build() });

describe('DNS rebinding', () => {
  it('answers 421 to a Host it does not serve, on the API, the pages and metrics; probes stay open', async () => {
    const { app } = setup({ publicUrl: 'https://braid.example.com' });
    for (const path of ['/v1/runs', '/runs', '/metrics', '/ui/login']) {
      expect((await app.request(`http://attacker.example${path}`, { headers: { ...bearer, host: 'attacker.example' } })).status, path).toBe(421);
    }
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'braid.example.com']) {
      expect((await app.request('http://x/v1/runs', { headers: { ...bearer, host } })).status, host).toBe(200);
    }
    expect((await app.request('http://x/healthz', { headers: { host: 'braid-api-1:3000' } })).status).toBe(200);
    expect((await app.request('http://x/readyz', { headers: { host: 'braid-api-1:3000' } })).status).toBe(200);
  });

  it('reads host names as a browser sends them', () => {
    expect(hostName('LocalHost:3000')).toBe('localhost');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName(undefined)).toBeUndefined();
  });
});

describe('cross-site requests', () => {
  const post = (app: ReturnType<typeof setup>['app'], headers: Record<string, string>, body?: string) =>
    app.request('http://localhost/v1/runs', { method: 'POST', headers: { host: 'localhost', ...headers }, ...(body === undefined ? {} : { body }) });

  it('refuses a state-changing request from another origin whatever its credential', async () => {
    const { app, fake } = setup();
    expect((await post(app, { ...bearer, origin: 'https://evil.example', 'content-type': 'application/json' }, startBody())).status).toBe(403);
    expect((await post(app, { ...bearer, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, startBody())).status).toBe(403);
    // A body-less POST (a cancel, a redrive) from another site: refused too.
    expect(
      (await app.request('http://localhost/v1/runs/r1/cancel', { method: 'POST', headers: { host: 'localhost', ...bearer, origin: 'https://evil.example' } }))
        .status,
    ).toBe(403);
    expect(fake.started).toHaveLength(0);
    // Its own origin, and clients that are not browsers, pass.
    expect((await post(app, { ...bearer, origin: 'http://localhost', 'content-type': 'application/json' }, startBody())).status).toBe(201);
    expect((await post(app, { ...bearer, 'content-type': 'application/json' }, startBody())).status).toBe(201);
  });

  it('refuses Origin: null with 403, never a 500', async () => {
    const { app } = setup();
    const res = await post(app, { ...bearer, origin: 'null', 'content-type': 'application/json' }, startBody());
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toContain('Origin: null');
    expect(
      (
        await app.request('http://localhost/ui/login', {
          method: 'POST',
          headers: { host: 'localhost', origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
          body: 'token=x',
        })
      ).status,
    ).toBe(403);
  });
});

describe('guessing the token', () => {
  it(`answers 429 after ${FAILED_AUTH_PER_MINUTE} failed authentications a minute from one address, even with the request limit off`, async () => {
    const { app } = setup({ rateLimitPerMinute: 0 });
    for (let i = 0; i < FAILED_AUTH_PER_MINUTE; i++) {
      expect((await app.request('/v1/runs', { headers: { authorization: `Bearer guess-${i}` } })).status).toBe(401);
    }
    const blocked = await app.request('/v1/runs', { headers: { authorization: 'Bearer guess-x' } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    // For the rest of the minute, even the right token from that address waits; the sign-in form counts the same.
    expect((await app.request('/v1/runs', { headers: bearer })).status).toBe(429);
  });

  it('counts wrong tokens at the sign-in form', async () => {
    const { app } = setup();
    const form = (token: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
    for (let i = 0; i < FAILED_AUTH_PER_MINUTE; i++) expect((await app.request('/ui/login', form(`g${i}`))).status).toBe(401);
    expect((await app.request('/ui/login', form(TOKEN))).status).toBe(429);
  });

  it('refuses a sign-in form larger than 8 KB', async () => {
    const { app } = setup();
    const res = await app.request('/ui/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(9 * 1024) },
      body: `token=${'x'.repeat(9 * 1024 - 6)}`,
    });
    expect(res.status).toBe(413);
  });
});

describe('rate limits a caller cannot dodge', () => {
  it('keys the request limit on the principal, not on the Authorization header a caller writes', async () => {
    const { app } = setup({ rateLimitPerMinute: 3, apiToken: undefined });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await app.request('/v1/runs', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer fresh-bucket-${i}` },
            body: startBody(),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });

  it('believes X-Forwarded-For only from TRUSTED_PROXIES', () => {
    const ctx = (peer: string, xff?: string) =>
      ({
        env: { incoming: { socket: { remoteAddress: peer } } },
        req: { header: (n: string) => (n === 'x-forwarded-for' ? xff : undefined) },
      }) as unknown as Context<AppEnv>;
    const trusted = trustedProxies(['10.0.0.5', '172.16.0.0/12']);
    expect(clientAddress(ctx('203.0.113.9', '1.2.3.4'), trusted)).toBe('203.0.113.9');
    expect(clientAddress(ctx('10.0.0.5', '1.2.3.4'), trusted)).toBe('1.2.3.4');
    // A client's own forged hop before the proxy's is not believed.
    expect(clientAddress(ctx('10.0.0.5', '6.6.6.6, 1.2.3.4'), trusted)).toBe('1.2.3.4');
    expect(clientAddress(ctx('::ffff:10.0.0.5', '1.2.3.4, 10.0.0.5'), trusted)).toBe('1.2.3.4');
    // A CIDR (a container network's balancer).
    expect(clientAddress(ctx('172.18.0.7', '198.51.100.1'), trusted)).toBe('198.51.100.1');
  });

  it('keeps its windows in bounded memory', () => {
    const windows = new MinuteWindows(100);
    for (let i = 0; i < 10_000; i++) windows.hit(`ip:${i}`);
    expect(windows.size).toBeLessThanOrEqual(100);
  });
});

describe('readiness', () => {
  it("shows each check's detail only to a caller with a credential", async () => {
    const { app } = setup();
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready', checks: { temporal: { ok: true } } });
    expect(await (await app.request('/readyz', { headers: bearer })).json()).toEqual({
      status: 'ready',
      checks: { temporal: { ok: true, detail: 'connected to 10.1.2.3:7233' } },
    });
  });
});

describe('event streams', () => {
  it('caps the streams one principal holds open (SSE_STREAMS_PER_PRINCIPAL), and frees a slot when one closes', async () => {
    const { app } = setup({ sseStreamsPerPrincipal: 2 });
    const started = await app.request('/v1/runs', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: startBody() });
    const { runId } = (await started.json()) as { runId: string };
    const open = () => {
      const abort = new AbortController();
      return { abort, res: app.request(`/v1/runs/${runId}/events`, { headers: bearer, signal: abort.signal }) };
    };
    const a = open();
    const b = open();
    expect((await a.res).status).toBe(200);
    expect((await b.res).status).toBe(200);
    const c = await open().res;
    expect(c.status).toBe(429);
    a.abort.abort();
    await (await a.res).body?.cancel().catch(() => undefined);
    const d = await eventually(
      async () => {
        const next = open();
        const res = await next.res;
        if (res.status === 200) return next;
        return undefined;
      },
      5_000,
      50,
    );
    d.abort.abort();
    b.abort.abort();
  });
});

describe('the document tells the truth', () => {
  it("declares the front door's answers on every route, and a documented path asked with another method is 405 with Allow", async () => {
    const { app } = setup();
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/runs']!.post!.responses)).toEqual(expect.arrayContaining(['401', '403', '413', '415', '421', '429']));
    expect(Object.keys(doc.paths['/healthz']?.get?.responses ?? {})).not.toContain('421');
    const res = await app.request('/v1/runs', { method: 'DELETE', headers: bearer });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
    expect((await app.request('/v1/nothing-here', { headers: bearer })).status).toBe(404);
  });
});
