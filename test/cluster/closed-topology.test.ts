/**
 * The production topology is closed (issue 32, item 7): the Temporal
 * frontend refuses clients without a certificate from the cluster's CA (gRPC
 * and its HTTP API), the Web UI answers only through the APIs' sign-in, and
 * PostgreSQL takes only password logins with the generated passwords, kept
 * in files only their owner reads.
 */
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { certPaths, TEMPORAL_SERVER_NAME } from '../../src/cluster/certs';
import { temporalTlsConfig } from '../../src/temporal/connection';
import { useCluster } from './context';
import { CLUSTER_TOKEN } from './global-setup';

const ctx = useCluster();
const info = inject('cluster');
const certs = certPaths(join(info.dir, 'tls'));
const ports = () => JSON.parse(readFileSync(join(info.dir, 'run', 'ports.json'), 'utf8')) as { postgres: number; frontendHttp: number };

/** Whether a Temporal client with these TLS settings gets an answer. */
async function answers(tls: TLSConfig | undefined): Promise<string> {
  try {
    const connection = await Connection.connect({ address: info.temporalAddress, connectTimeout: 3_000, ...(tls === undefined ? {} : { tls }) });
    try {
      const system = await connection.workflowService.getSystemInfo({});
      return `answered ${system.serverVersion}`;
    } finally {
      await connection.close();
    }
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

describe('the Temporal frontend', () => {
  it('refuses a client without a certificate, over plaintext or TLS, and answers one with the cluster client certificate', async () => {
    expect(await answers(undefined)).toMatch(/^refused/);
    const ca = readFileSync(certs.ca);
    expect(await answers({ serverRootCACertificate: ca, serverNameOverride: TEMPORAL_SERVER_NAME })).toMatch(/^refused/);
    // A certificate whose key the caller does not hold is no credential either.
    expect(
      await answers({
        serverRootCACertificate: ca,
        serverNameOverride: TEMPORAL_SERVER_NAME,
        clientCertPair: { crt: ca, key: readFileSync(certs.clients.braid.key) },
      }),
    ).toMatch(/^refused/);
    expect(await answers(temporalTlsConfig(info.temporalTls))).toMatch(/^answered/);
  });

  it('closes its HTTP API the same way', async () => {
    const status = (withCert: boolean) =>
      new Promise<string>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: ports().frontendHttp,
            path: '/api/v1/namespaces',
            ca: readFileSync(certs.ca),
            servername: TEMPORAL_SERVER_NAME,
            ...(withCert ? { cert: readFileSync(certs.clients.braid.cert), key: readFileSync(certs.clients.braid.key) } : {}),
            timeout: 5_000,
          },
          (res) => {
            res.resume();
            resolve(`status ${res.statusCode}`);
          },
        );
        req.on('error', (err) => resolve(`refused: ${err.message}`));
        req.end();
      });
    expect(await status(false)).toMatch(/^refused/);
    expect(await status(true)).toBe('status 200');
  });

  it('keeps every private key readable by its owner only', () => {
    for (const key of [certs.server.key, ...Object.values(certs.clients).map((c) => c.key), join(certs.dir, 'ca-key.pem')]) {
      expect((statSync(key).mode & 0o777).toString(8), key).toBe('600');
    }
  });
});

describe('the Temporal Web UI', () => {
  it('answers only through the API, and only signed in', async () => {
    const anonymous = await fetch(`${ctx.uiUrl}/`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('name="token"');
    const wrong = await fetch(`${ctx.uiUrl}/api/v1/namespaces`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);

    const page = await ctx.call(0, 'GET', '/temporal/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/temporal/_app/');
    const namespaces = await ctx.call(1, 'GET', '/temporal/api/v1/namespaces');
    expect(namespaces.status).toBe(200);
    expect(JSON.stringify(await namespaces.json())).toContain('"default"');
  });

  it('turns a sign-in link into a session, and the session opens the UI', async () => {
    const link = await fetch(`${ctx.uiUrl}/?token=${CLUSTER_TOKEN}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/temporal/');
    const cookie = link.headers.get('set-cookie')!.split(';')[0]!;
    const signedIn = await fetch(`${ctx.uiUrl}/`, { headers: { cookie } });
    expect(signedIn.status).toBe(200);
  });
});

describe('PostgreSQL', () => {
  const login = async (user: string, password: string | undefined, db: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port: ports().postgres, user, password: password ?? '', database: db, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return 'in';
    } catch (err) {
      return `refused: ${(err as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it('takes only password logins with the generated passwords, kept 0600', async () => {
    const file = join(info.dir, 'postgres', 'passwords.json');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const passwords = JSON.parse(readFileSync(file, 'utf8')) as { superuser: string; braid: string };
    expect(passwords.superuser).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await login('temporal', undefined, 'postgres')).toMatch(/^refused/);
    expect(await login('temporal', 'temporal', 'postgres')).toMatch(/password authentication failed/);
    expect(await login('braid', 'braid', 'braid')).toMatch(/password authentication failed/);
    expect(await login('postgres', 'postgres', 'postgres')).toMatch(/^refused/);
    expect(await login('temporal', passwords.superuser, 'postgres')).toBe('in');
    expect(await login('braid', passwords.braid, 'braid')).toBe('in');
    const hba = readFileSync(join(info.dir, 'postgres', 'data', 'pg_hba.conf'), 'utf8');
    expect(hba).not.toMatch(/\b(trust|peer|password|md5)\s*$/m);
  });
});
