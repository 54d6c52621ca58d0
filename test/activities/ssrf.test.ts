/**
 * SSRF protection of the `http` node: private, loopback, link-local (cloud
 * metadata), CGNAT, multicast and IPv6 forms are refused, in every spelling,
 * by name and through redirects, unless HTTP_ALLOWLIST names them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempted, HttpResponseOutput } from '../../activities';
import { createActivities } from '../../activities';

type Out = Attempted<HttpResponseOutput>;
import { createAddressPolicy } from '../../activities/address-policy';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';

let target: HttpTarget;
let port: number;
beforeAll(async () => {
  target = await startHttpTarget();
  port = Number(new URL(target.url).port);
});
afterAll(() => target?.close());

async function call(url: string, allowlist: string[] = [], protectedPorts: number[] = []) {
  const { http } = createActivities({ httpAllowlist: allowlist, protectedPorts });
  const env = new MockActivityEnvironment();
  return env.run(http, { nodeId: 'n', method: 'GET', url, failOnHttpError: true }) as Promise<Out>;
}

async function refused(url: string, allowlist: string[] = [], protectedPorts: number[] = []) {
  const err = await call(url, allowlist, protectedPorts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, url).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe(FAILURE_TYPES.forbiddenAddress);
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  return err as ApplicationFailure;
}

describe('address policy', () => {
  const policy = createAddressPolicy();
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
  ])('refuses %s', (address) => expect(policy.allows('host', address)).toBe(false));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (address) => expect(policy.allows('host', address)).toBe(true));

  it('allows listed hosts and CIDRs only', () => {
    const p = createAddressPolicy(['10.1.0.0/16', 'api.internal', '::1', '127.0.0.1']);
    expect(p.allows('x', '10.1.2.3')).toBe(true);
    expect(p.allows('x', '10.2.0.1')).toBe(false);
    expect(p.allows('api.internal', '10.9.9.9')).toBe(true);
    expect(p.allows('x', '::1')).toBe(true);
    expect(p.allows('x', '::ffff:127.0.0.1')).toBe(true);
    expect(p.allows('x', '127.0.0.2')).toBe(false);
  });
});

describe('http node SSRF protection', () => {
  it.each([
    (p: number) => `http://127.0.0.1:${p}/echo`,
    (p: number) => `http://2130706433:${p}/echo`,
    (p: number) => `http://0x7f.1:${p}/echo`,
    (p: number) => `http://0177.0.0.1:${p}/echo`,
    (p: number) => `http://[::ffff:127.0.0.1]:${p}/echo`,
    (p: number) => `http://[::1]:${p}/echo`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://[fd00:ec2::254]/latest/meta-data/',
    () => 'http://100.100.100.200/',
  ])('refuses a private literal address (%#)', async (make) => {
    const before = target.requests.length;
    const err = await refused(make(port));
    expect(err.message).toContain('HTTP_ALLOWLIST');
    expect(target.requests.length).toBe(before);
  });

  it('refuses a host name that resolves to a private address', async () => {
    await refused(`http://localhost:${port}/echo`);
  });

  it('refuses a redirect that leads to a private address', async () => {
    const before = target.requests.length;
    await refused(`http://localhost:${port}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port}/echo`)}`, ['localhost']);
    // the first hop was allowed and reached the server; the redirect target was not
    expect(target.requests.slice(before).map((r) => r.path.split('?')[0])).toEqual(['/redirect']);
  });

  it('follows a redirect to an allowed address', async () => {
    const out = await call(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port}/echo`)}`, ['127.0.0.1']);
    expect(out.output.status).toBe(200);
  });

  it('reaches an allowlisted address', async () => {
    const out = await call(`http://127.0.0.1:${port}/echo`, ['127.0.0.0/8']);
    expect(out.output).toMatchObject({ status: 200, body: { method: 'GET' } });
  });
});

describe('what runs Braid is out of reach', () => {
  it('matches allowlist entries that name a port on that port only', () => {
    const policy = createAddressPolicy(['127.0.0.1:4000', 'localhost:5000', '[::1]:6000', '10.0.0.0/8'], [7233]);
    expect(policy.allows('127.0.0.1', '127.0.0.1', 4000)).toBe(true);
    expect(policy.allows('127.0.0.1', '127.0.0.1', 4001)).toBe(false);
    expect(policy.allows('localhost', '127.0.0.1', 5000)).toBe(true);
    expect(policy.allows('localhost', '127.0.0.1', 5001)).toBe(false);
    expect(policy.allows('::1', '::1', 6000)).toBe(true);
    expect(policy.allows('::1', '::1', 6001)).toBe(false);
    expect(policy.allows('10.1.2.3', '10.1.2.3', 8080)).toBe(true);
    // A protected port needs an entry that names it, even inside an allowed CIDR.
    expect(policy.allows('10.1.2.3', '10.1.2.3', 7233)).toBe(false);
    expect(createAddressPolicy(['10.1.2.3:7233'], [7233]).allows('10.1.2.3', '10.1.2.3', 7233)).toBe(true);
    // A public address is anyone's port.
    expect(policy.allows('93.184.216.34', '93.184.216.34', 7233)).toBe(true);
  });

  it("refuses Braid's own ports on an allowlisted address unless the entry names the port", async () => {
    await refused(`${target.url}/delay/1`, ['127.0.0.1'], [port]);
    await refused(`${target.url}/delay/1`, ['127.0.0.1:1'], []);
    expect((await call(`${target.url}/delay/1`, [`127.0.0.1:${port}`], [port])).output.status).toBe(200);
  });
});

describe('http node responses', () => {
  const allow = ['127.0.0.1'];
  it('fails a response over the size limit, without retrying', async () => {
    const { http } = createActivities({ httpAllowlist: allow, maxResponseBytes: 1000 });
    const err = await new MockActivityEnvironment()
      .run(http, { nodeId: 'n', method: 'GET', url: `${target.url}/big/5000`, failOnHttpError: true })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FAILURE_TYPES.responseTooLarge, nonRetryable: true });
  });

  it('returns a non-2xx response as output when failOnHttpError is false', async () => {
    const out = (await new MockActivityEnvironment().run(createActivities({ httpAllowlist: allow }).http, {
      nodeId: 'n',
      method: 'GET',
      url: `${target.url}/status/404`,
      failOnHttpError: false,
    })) as Out;
    expect(out.output.status).toBe(404);
  });

  it('sends JSON bodies, query and headers', async () => {
    const out = (await new MockActivityEnvironment().run(createActivities({ httpAllowlist: allow }).http, {
      nodeId: 'n',
      method: 'POST',
      url: `${target.url}/echo`,
      query: { a: 1, b: 'x' },
      headers: { 'x-k': 'v' },
      body: { hello: 'world' },
      failOnHttpError: true,
    })) as Out;
    expect(out.output.body).toMatchObject({
      method: 'POST',
      query: { a: '1', b: 'x' },
      headers: { 'x-k': 'v', 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
  });

  it('classifies 429 and 5xx as retryable, 4xx as not', async () => {
    const { http } = createActivities({ httpAllowlist: allow });
    const run = (code: number) =>
      new MockActivityEnvironment().run(http, { nodeId: 'n', method: 'GET', url: `${target.url}/status/${code}`, failOnHttpError: true }).then(
        () => ({ nonRetryable: undefined }),
        (e: unknown) => e as ApplicationFailure,
      );
    for (const code of [500, 503, 408, 429]) expect((await run(code)).nonRetryable, String(code)).toBe(false);
    for (const code of [400, 401, 404, 422]) expect((await run(code)).nonRetryable, String(code)).toBe(true);
  });

  it('aborts the request when the activity is cancelled', async () => {
    const env = new MockActivityEnvironment();
    const pending = env
      .run(createActivities({ httpAllowlist: allow }).http, {
        nodeId: 'n',
        method: 'GET',
        url: `${target.url}/delay/30000?t=mock-cancel`,
        failOnHttpError: true,
      })
      .catch((e: unknown) => e);
    for (let i = 0; i < 100 && !target.requests.some((r) => r.path.includes('mock-cancel')); i++) await new Promise((r) => setTimeout(r, 20));
    env.cancel();
    const err = await pending;
    expect((err as Error).name).toBe('CancelledFailure');
    await new Promise((r) => setTimeout(r, 50));
    expect(target.requests.find((r) => r.path.includes('mock-cancel'))!.aborted).toBe(true);
  });
});
