/**
 * Credentials in the http activity, against real servers on loopback and the
 * credentials store on SQLite: each type reaches the target as it should; a
 * host outside `allowedHosts` sees no request; every value derived from the
 * credential is masked in what the activity gives back, failures included;
 * a rotation takes effect at the next attempt; an OAuth2 token is fetched
 * once, reused, and fetched again once on a 401.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequestInput, HttpResponseOutput } from '../../activities';
import { createActivities } from '../../activities';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { CredentialStore } from '../../src/store/credentials';
import { createCredentialStore } from '../../src/store/credentials';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';

let dir: string;
let database: BraidDatabase;
let store: CredentialStore;
let server: ReturnType<typeof createServer>;
let base: string;
let host: string;
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
const tokens = { issued: 0, valid: new Set<string>() };

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (url.pathname === '/token') {
    const token = `tok-${++tokens.issued}-${randomBytes(8).toString('hex')}`;
    tokens.valid.add(token);
    return json(200, { access_token: token, token_type: 'bearer', expires_in: 3600 });
  }
  seen.push({ url: req.url ?? '', headers: req.headers });
  if (url.pathname === '/protected' && !tokens.valid.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return json(401, { error: 'bad token' });
  // Echoes what it got: a careless upstream that repeats the caller's key.
  return json(url.pathname === '/fail' ? 400 : 200, { url: req.url, authorization: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-cred-'));
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  store = createCredentialStore(database.db, randomBytes(32));
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const { http } = createActivities({ httpAllowlist: ['127.0.0.1'], credentials: { resolve: (p, n) => store.resolve(p, n) } });
const send = (path: string, credential: string, extra: Partial<HttpRequestInput> = {}) =>
  new MockActivityEnvironment()
    .run(http, { nodeId: 'n', method: 'GET', url: `${base}${path}`, failOnHttpError: true, credential, ...extra })
    .then((r) => (r as { output: HttpResponseOutput }).output);
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as ApplicationFailure,
  );

describe('credentials in the http activity', () => {
  it('sends a bearer token, and masks it where the answer echoes it', async () => {
    await store.create('default', { name: 'bearer', type: 'bearer', data: { token: 'sk_live_bearer_0123456789' }, allowedHosts: [host] });
    const out = await send('/echo', 'bearer');
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer sk_live_bearer_0123456789');
    expect(out.body).toEqual({ url: '/echo', authorization: 'Bearer ***', key: null });
    expect(JSON.stringify(out)).not.toContain('sk_live_bearer');
  });

  it('sends basic, header and query credentials, masking each value and what is derived from it', async () => {
    await store.create('default', { name: 'basic', type: 'basic', data: { username: 'ada', password: 'p4ssw0rd-basic' }, allowedHosts: [host] });
    await store.create('default', { name: 'header', type: 'header', data: { name: 'X-Api-Key', value: 'hdr-secret-value' }, allowedHosts: [host] });
    await store.create('default', { name: 'query', type: 'query', data: { name: 'api_key', value: 'q secret/value' }, allowedHosts: [host] });
    const basic = await send('/echo', 'basic');
    const encoded = Buffer.from('ada:p4ssw0rd-basic').toString('base64');
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${encoded}`);
    expect(JSON.stringify(basic)).not.toContain(encoded);
    const header = await send('/echo', 'header');
    expect(seen.at(-1)!.headers['x-api-key']).toBe('hdr-secret-value');
    expect(header.body).toMatchObject({ key: '***' });
    const query = await send('/echo', 'query', { query: { page: 2 } });
    expect(new URL(seen.at(-1)!.url, base).searchParams.get('api_key')).toBe('q secret/value');
    expect(JSON.stringify(query)).not.toMatch(/q(%20|\+| )secret/);
  });

  it('masks the credential in a failure too', async () => {
    const err = await failureOf(send('/fail', 'header'));
    expect(err.type).toBe(FAILURE_TYPES.httpClientError);
    expect(JSON.stringify(err.details)).toContain('***');
    expect(JSON.stringify(err.details)).not.toContain('hdr-secret-value');
  });

  it('sends nothing to a host outside allowedHosts', async () => {
    await store.create('default', { name: 'stripe', type: 'bearer', data: { token: 'sk_live_stripe_0000' }, allowedHosts: ['api.stripe.com'] });
    const before = seen.length;
    const err = await failureOf(send('/echo', 'stripe'));
    expect(err).toMatchObject({ type: FAILURE_TYPES.credentialHostRefused, nonRetryable: true });
    expect(err.message).toBe(`credential "stripe" may be sent only to api.stripe.com; not to ${host}`);
    expect(seen.length).toBe(before);
    // The host alone means the scheme's default port: the same host on another port is another host.
    await store.create('default', { name: 'portless', type: 'bearer', data: { token: 'sk_portless_0000' }, allowedHosts: ['127.0.0.1'] });
    expect((await failureOf(send('/echo', 'portless'))).type).toBe(FAILURE_TYPES.credentialHostRefused);
    expect(seen.length).toBe(before);
  });

  it('refuses a credential the project does not have', async () => {
    const err = await failureOf(send('/echo', 'nope'));
    expect(err).toMatchObject({ type: FAILURE_TYPES.invalidNodeData, nonRetryable: true, message: 'credential "nope" does not exist in project "default"' });
  });

  it('uses a rotated value at the next attempt', async () => {
    await store.rotate('default', 'bearer', { data: { token: 'sk_live_rotated_9876543210' } });
    await send('/echo', 'bearer');
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer sk_live_rotated_9876543210');
  });

  it('fetches an OAuth2 token once, reuses it, and fetches another once on a 401', async () => {
    await store.create('default', {
      name: 'oauth',
      type: 'oauth2ClientCredentials',
      data: { tokenUrl: `${base}/token`, clientId: 'braid', clientSecret: 'client-secret-xyz' },
      allowedHosts: [host],
    });
    const first = await send('/protected', 'oauth');
    await send('/protected', 'oauth');
    expect(tokens.issued).toBe(1);
    expect(JSON.stringify(first)).not.toContain('tok-1');
    // The upstream forgets the token: one 401, one new token, one retry.
    tokens.valid.clear();
    const again = await send('/protected', 'oauth');
    expect(again.status).toBe(200);
    expect(tokens.issued).toBe(2);
    expect(seen.at(-1)!.headers.authorization).toMatch(/^Bearer tok-2-/);
  });
});
