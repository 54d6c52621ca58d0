/**
 * A body over MAX_BODY_BYTES on a real socket: the 413 says `Connection:
 * close` (the server stops reading that request), so a client's next
 * request goes out on a fresh connection instead of failing with "other
 * side closed".
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';
import type { Served } from '../helpers/serve';
import { serveApp } from '../helpers/serve';

let server: Served;
let url: string;

beforeAll(async () => {
  const app = createApp({
    client: {} as Client,
    config: { namespace: 'default', taskQueue: 'braid', temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1024, rateLimitPerMinute: 0 },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    readiness: async () => ({ ready: true, checks: {} }),
  });
  server = await serveApp(app);
  url = server.url;
});
afterAll(() => server?.close());

it('answers 413 with Connection: close, and the next request on the same client succeeds', async () => {
  for (let i = 0; i < 3; i++) {
    const big = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: { nodes: [] }, input: 'x'.repeat(512 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('connection')).toBe('close');
    expect(((await big.json()) as { detail: string }).detail).toContain('MAX_BODY_BYTES');
    const next = await fetch(`${url}/healthz`);
    expect(next.status).toBe(200);
  }
});
