/**
 * The Temporal Web UI behind Braid (/temporal) shows and changes every
 * workflow of the namespace, whatever its project: only administrators get
 * through (the token, its page session, BRAID_ADMINS); an owner's key, by
 * bearer or by page session, gets 403 and the UI server sees nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';

const TOKEN = 'temporal-ui-token-0123456789abcdef';
let upstream: ReturnType<typeof createServer>;
let reached = 0;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    reached++;
    res.end('<html>temporal ui</html>');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 10_000,
      apiToken: TOKEN,
      temporalUiUpstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    readiness: async () => ({ ready: true, checks: {} }),
  });
});
afterAll(async () => {
  await new Promise((r) => upstream.close(r));
});

const makeKey = async (role: string) => {
  const res = await app.request('/v1/keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: role, roles: { default: role } }),
  });
  return ((await res.json()) as { key: string }).key;
};
const signIn = async (token: string) => {
  const res = await app.request('/ui/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    body: new URLSearchParams({ token, next: '/runs' }).toString(),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
};

describe('the Temporal Web UI behind Braid', () => {
  it('lets administrators through, and no one else', async () => {
    expect((await app.request('/temporal/namespaces', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await app.request('/temporal/namespaces', { headers: { cookie: await signIn(TOKEN) } })).status).toBe(200);
    const before = reached;
    const owner = await makeKey('owner');
    expect((await app.request('/temporal/namespaces', { headers: { authorization: `Bearer ${owner}` } })).status).toBe(403);
    expect((await app.request('/temporal/namespaces', { headers: { cookie: await signIn(owner) } })).status).toBe(403);
    expect(reached).toBe(before);
  });
});
