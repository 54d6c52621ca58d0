/** What every cluster test file shares: the two APIs (with the token), a Temporal client, a local HTTP target. */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadDataConverter } from '../../src/codec/data-converter';
import { temporalTlsConfig } from '../../src/temporal/connection';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { CLUSTER_TOKEN, ENCRYPTION_KEY } from './global-setup';

/** An API answer as the tests read it: deep paths of JSON, checked by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
export type Json = any;

export interface ClusterContext {
  apis: [string, string];
  uiUrl: string;
  dir: string;
  target: HttpTarget;
  /** A client with Braid's data converter (decrypts, reads claim-checked payloads). */
  client: Client;
  /** A client with no codec: sees what Temporal stores. */
  rawClient: Client;
  /** A request to API `replica` (0 or 1) with the token. */
  call(replica: 0 | 1, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = Json>(replica: 0 | 1, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Polls a run through `replica` until it has ended (not running, queued or paused). */
  finished<T = Json>(replica: 0 | 1, runId: string, timeoutMs?: number): Promise<T>;
}

export function useCluster(): ClusterContext {
  const info = inject('cluster');
  const ctx = { apis: info.apis, uiUrl: info.uiUrl, dir: info.dir } as ClusterContext;
  let connection: Connection;
  beforeAll(async () => {
    ctx.target = await startHttpTarget();
    connection = await Connection.connect({ address: info.temporalAddress, tls: temporalTlsConfig(info.temporalTls) });
    const dataConverter = loadDataConverter({
      encryptionKey: ENCRYPTION_KEY,
      encryptionKeyId: 'default',
      payloadStore: { kind: 'file', dir: join(info.dir, 'payloads') },
      payloadThresholdBytes: 128 * 1024,
    });
    ctx.client = new Client({ connection, namespace: 'default', dataConverter });
    ctx.rawClient = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await ctx.target?.close();
    await connection?.close();
  });
  ctx.call = (replica, method, path, body, headers = {}) =>
    fetch(`${info.apis[replica]}${path}`, {
      method,
      headers: { authorization: `Bearer ${CLUSTER_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  ctx.json = async (replica, method, path, body) => {
    const res = await ctx.call(replica, method, path, body);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  ctx.finished = (replica, runId, timeoutMs = 120_000) =>
    eventually(
      async () => {
        const { status, body } = await ctx.json(replica, 'GET', `/v1/runs/${encodeURIComponent(runId)}`);
        return status === 200 && !['running', 'queued', 'paused'].includes(body.status) ? body : undefined;
      },
      timeoutMs,
      250,
    );
  return ctx;
}
