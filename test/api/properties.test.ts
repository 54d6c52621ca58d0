/** Random bodies, headers and ids into the API never produce a 5xx. */
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { createFakeRunStore } from '../helpers/fake-run-store';

export const API_RUNS = { bodies: 300, ids: 300, headers: 200 };

const app = createApp({
  client: {} as Client,
  config: { namespace: 'default', taskQueue: 'braid', temporalUiUrl: 'http://ui', maxBodyBytes: 256 * 1024, rateLimitPerMinute: 0 },
  logger: silentLogger,
  runStore: createFakeRunStore().store,
  readiness: async () => ({ ready: true, checks: {} }),
});

const noServerError = (res: Response) => expect(res.status).toBeLessThan(500);

describe('API robustness', () => {
  it('answers any JSON body to the POST routes without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/runs', '/v1/workflows/validate'),
        fc.oneof(fc.jsonValue(), fc.record({ workflow: fc.jsonValue(), input: fc.jsonValue(), runId: fc.string(), trigger: fc.string() })),
        async (path, body) => {
          noServerError(await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
        },
      ),
      { numRuns: API_RUNS.bodies },
    );
  });

  it('answers any raw bytes as a body without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (raw) => {
        noServerError(await app.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw }));
      }),
      { numRuns: API_RUNS.bodies },
    );
  });

  it('answers any run id and query without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), async (id, q) => {
        const seg = encodeURIComponent(id);
        noServerError(await app.request(`/v1/runs/${seg}`));
        noServerError(await app.request(`/v1/runs/${seg}/cancel`, { method: 'POST' }));
        noServerError(await app.request(`/v1/runs?limit=${encodeURIComponent(q)}&cursor=${encodeURIComponent(q)}&status=${encodeURIComponent(q)}`));
      }),
      { numRuns: API_RUNS.ids },
    );
  });

  it('answers any header values without a 5xx', async () => {
    const headerValue = fc.string({ maxLength: 100 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s));
    await fc.assert(
      fc.asyncProperty(headerValue, headerValue, headerValue, async (requestId, auth, type) => {
        noServerError(
          await app.request('/v1/workflows/validate', {
            method: 'POST',
            headers: { 'x-request-id': requestId, authorization: auth, 'content-type': type },
            body: '{}',
          }),
        );
      }),
      { numRuns: API_RUNS.headers },
    );
  });
});
