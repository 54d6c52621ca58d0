/**
 * A credential through a whole run, on Temporal's time-skipping server with
 * the real activities and the credentials store on SQLite: the node reaches
 * its host with the credential; the run's history holds the credential's
 * name and never its value (nor the upstream's echo of it); a node whose
 * host is not allowed fails with CredentialHostRefused and the host sees no
 * request.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { CredentialStore } from '../../src/store/credentials';
import { createCredentialStore } from '../../src/store/credentials';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let dir: string;
let database: BraidDatabase;
let store: CredentialStore;
const TOKEN = 'sk_live_history_check_31337';

beforeAll(async () => {
  [env, target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
  dir = mkdtempSync(join(tmpdir(), 'braid-wf-cred-'));
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  store = createCredentialStore(database.db, randomBytes(32));
  await store.create('default', { name: 'api', type: 'header', data: { name: 'x-api-key', value: TOKEN }, allowedHosts: [new URL(target.url).host] });
  await store.create('default', { name: 'elsewhere', type: 'bearer', data: { token: TOKEN }, allowedHosts: ['api.example.com'] });
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const activities = () => testActivities({ credentials: { resolve: (p, n) => store.resolve(p, n) } });
const run = (credential: string, tag: string) => ({
  name: 'with-credential',
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'call', type: 'http', data: { url: `${target.url}/echo?t=${tag}`, auth: { credential } }, retry: { maximumAttempts: 1 } },
  ],
  edges: [{ source: 'start', target: 'call' }],
});

describe('a credential in a run', () => {
  it('reaches its host, and its value is nowhere in the history', async () => {
    const tag = uniqueId('cred');
    const { state, workflowId } = await runGraph(env, run('api', tag), { activities: activities() });
    expect(state.status).toBe('succeeded');
    expect(target.requests.find((r) => r.path.includes(tag))!.headers['x-api-key']).toBe(TOKEN);
    // The target echoes the request's headers: masked in the output.
    expect((state.nodes.call!.output as { body: { headers: Record<string, string> } }).body.headers['x-api-key']).toBe('***');
    const history = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).not.toContain(TOKEN);
    // Payloads are base64 in history: look there too.
    const payloads = [...history.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));
    expect(payloads.some((p) => p.includes('"credential":"api"'))).toBe(true);
    expect(payloads.filter((p) => p.includes(TOKEN))).toEqual([]);
  });

  it('fails the node before any request when its host is not allowed', async () => {
    const tag = uniqueId('refused');
    const { state } = await runGraph(env, run('elsewhere', tag), { activities: activities() });
    expect(state.status).toBe('failed');
    expect(state.nodes.call!.error).toMatchObject({ type: FAILURE_TYPES.credentialHostRefused });
    expect(target.requests.some((r) => r.path.includes(tag))).toBe(false);
  });
});
