/**
 * Which failed requests the `http` node retries: connection refused stays
 * retryable; a blocked port, a certificate that does not verify and TLS
 * spoken to a plain-HTTP port are non-retryable, with a message that says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { freePort } from '../../src/temporal/free-port';

const dir = mkdtempSync(join(tmpdir(), 'braid-tls-'));
const servers: { close(): void }[] = [];
let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  // A self-signed certificate, made here (openssl is part of the machine's base system).
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'],
    { stdio: 'ignore' },
  );
  const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
  const plain = createHttpServer((_req, res) => res.end('{}'));
  for (const s of [tls, plain]) {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    servers.push(s);
  }
  tlsPort = (tls.address() as AddressInfo).port;
  plainPort = (plain.address() as AddressInfo).port;
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(url: string): Promise<ApplicationFailure> {
  const { http } = createActivities({ httpAllowlist: ['127.0.0.1', 'localhost'] });
  const err = await new MockActivityEnvironment().run(http, { nodeId: 'n', method: 'GET', url, failOnHttpError: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, url).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('http node failures that no retry can cure', () => {
  it('a port fetch blocks (9, discard) is non-retryable', async () => {
    const err = await failure('http://127.0.0.1:9/');
    expect(err).toMatchObject({ type: FAILURE_TYPES.httpUnrecoverable, nonRetryable: true });
    expect(err.message).toContain('blocked ports');
  });

  it('a self-signed certificate is non-retryable', async () => {
    const err = await failure(`https://localhost:${tlsPort}/`);
    expect(err).toMatchObject({ type: FAILURE_TYPES.httpUnrecoverable, nonRetryable: true });
    expect(err.message).toMatch(/certificate does not verify \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  it('TLS to a plain-HTTP port is non-retryable', async () => {
    const err = await failure(`https://127.0.0.1:${plainPort}/`);
    expect(err).toMatchObject({ type: FAILURE_TYPES.httpUnrecoverable, nonRetryable: true });
    expect(err.message).toContain('ERR_SSL_WRONG_VERSION_NUMBER');
  });

  it('connection refused stays retryable', async () => {
    const err = await failure(`http://127.0.0.1:${await freePort()}/`);
    expect(err).toMatchObject({ type: FAILURE_TYPES.httpNetworkError, nonRetryable: false });
    expect(err.message).toContain('ECONNREFUSED');
  });
});
