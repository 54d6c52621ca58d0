/**
 * /v1/credentials through the API (app.request(), the store on SQLite in
 * memory): values go in and never come out, rotation answers 200, a run or a
 * saved workflow naming an unknown credential is a 422 naming the field, and
 * each change is audited.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';

const TOKEN = 'credentials-test-token-0123456789';

function setup() {
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 10_000,
      apiToken: TOKEN,
    },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    readiness: async () => ({ ready: true, checks: {} }),
  });
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, text: await res.text() };
  };
  return { send };
}

const usingCredential = (credential: string) => ({
  name: 'charge',
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'pay', type: 'http', data: { url: 'https://api.stripe.com/v1/charges', auth: { credential } } },
  ],
  edges: [{ source: 'start', target: 'pay' }],
});

describe('/v1/credentials', () => {
  it('stores, lists, reads, rotates and deletes a credential, never answering a value', async () => {
    const t = setup();
    const secret = 'sk_live_api_test_5555';
    const made = await t.send('POST', '/v1/credentials', { name: 'stripe', type: 'bearer', data: { token: secret }, allowedHosts: ['api.stripe.com'] });
    expect(made.status).toBe(201);
    expect(JSON.parse(made.text)).toMatchObject({ name: 'stripe', type: 'bearer', allowedHosts: ['api.stripe.com'] });
    expect((await t.send('POST', '/v1/credentials', { name: 'stripe', type: 'bearer', data: { token: 'x' }, allowedHosts: ['a.test'] })).status).toBe(409);
    const rotated = await t.send('PUT', '/v1/credentials/stripe', {
      data: { token: 'sk_live_api_test_6666' },
      allowedHosts: ['api.stripe.com', '127.0.0.1:4000'],
    });
    expect(rotated.status).toBe(200);
    expect(JSON.parse(rotated.text).rotatedAt).not.toBeNull();
    const reads = [await t.send('GET', '/v1/credentials'), await t.send('GET', '/v1/credentials/stripe'), made, rotated];
    for (const r of reads) expect(r.text).not.toMatch(/sk_live_api_test/);
    expect(JSON.parse(reads[0]!.text).credentials.map((c: { name: string }) => c.name)).toEqual(['stripe']);
    expect((await t.send('DELETE', '/v1/credentials/stripe')).status).toBe(204);
    expect((await t.send('GET', '/v1/credentials/stripe')).status).toBe(404);
    const audit = JSON.parse((await t.send('GET', '/v1/audit')).text) as { entries: { action: string; target: string }[] };
    expect(audit.entries.map((e) => `${e.action} ${e.target}`)).toEqual(['credential.delete stripe', 'credential.rotate stripe', 'credential.create stripe']);
    expect(JSON.stringify(audit)).not.toMatch(/sk_live_api_test/);
  });

  it('refuses data that does not fit the type, naming the field, and hosts that are not hosts', async () => {
    const t = setup();
    const bad = await t.send('POST', '/v1/credentials', { name: 'x', type: 'basic', data: { username: 'u' }, allowedHosts: ['a.test'] });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('$.data.password');
    expect((await t.send('POST', '/v1/credentials', { name: 'x', type: 'bearer', data: { token: 't' }, allowedHosts: ['https://a.test/'] })).status).toBe(422);
    expect((await t.send('POST', '/v1/credentials', { name: 'x', type: 'bearer', data: { token: 't' }, allowedHosts: [] })).status).toBe(422);
    expect((await t.send('POST', '/v1/credentials', { name: 'x', type: 'vault', data: {}, allowedHosts: ['a.test'] })).status).toBe(422);
  });

  it('refuses a run or a saved workflow that names a credential the project does not have', async () => {
    const t = setup();
    const run = await t.send('POST', '/v1/runs', { workflow: usingCredential('stripe') });
    expect(run.status).toBe(422);
    expect(run.text).toContain('$.workflow.nodes[1].data.auth.credential');
    expect(run.text).toContain('no credential \\"stripe\\" in project \\"default\\"');
    expect((await t.send('PUT', '/v1/workflows/charge', usingCredential('stripe'))).status).toBe(422);
    await t.send('POST', '/v1/credentials', { name: 'stripe', type: 'bearer', data: { token: 'sk_1234' }, allowedHosts: ['api.stripe.com'] });
    expect((await t.send('POST', '/v1/runs', { workflow: usingCredential('stripe') })).status).toBe(201);
    expect((await t.send('PUT', '/v1/workflows/charge', usingCredential('stripe'))).status).toBe(201);
    // auth is not an expression: it is checked when the run starts.
    expect((await t.send('POST', '/v1/runs', { workflow: usingCredential('{% $input.c %}') })).status).toBe(422);
  });
});
