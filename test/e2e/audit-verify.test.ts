/**
 * `braid audit verify` against the API served on loopback, its audit log in
 * a SQLite file: the chain of real changes checks out, and an entry edited
 * in the database behind Braid's back (its guard dropped first, as someone
 * with the file's rights could) fails the check, naming the entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { main } from '../../src/cli';
import { silentLogger } from '../../src/logger';
import { createAuditLog } from '../../src/store/audit-log';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import { createFakeRunStore } from '../helpers/fake-run-store';
import { graph } from '../helpers/graphs';

const TOKEN = 'audit-e2e-token-0123456789abcdef';
let dir: string;
let database: BraidDatabase;
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-audit-e2e-'));
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 6000,
      apiToken: TOKEN,
    },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    repository: createWorkflowRepository(database.db),
    auditLog: createAuditLog(database.db),
    readiness: async () => ({ ready: true, checks: {} }),
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { env: { BRAID_URL: url, API_TOKEN: TOKEN }, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('braid audit verify', () => {
  it('checks the chain of real changes, and names the entry edited behind its back', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const workflow = graph('orders').trigger().http('users', 'https://api.example.com/users').edge('start', 'users').build();
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${url}/v1/runs`, { method: 'POST', headers, body: JSON.stringify({ workflow, runId: `orders-${i}` }) })).status).toBe(201);
    expect((await fetch(`${url}/v1/workflows/orders`, { method: 'PUT', headers, body: JSON.stringify(workflow) })).status).toBe(201);

    const ok = await cli('audit', 'verify');
    expect(ok).toMatchObject({ code: 0, out: "the audit log's chain is intact: 4 entries\n" });
    const listed = await cli('audit', 'list', '--action', 'run.start');
    expect(
      listed.out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[5]),
    ).toEqual(['orders-2', 'orders-1', 'orders-0']);

    // --project names the project: one that does not exist is a 404, as for a thing that does not exist.
    const elsewhere = await cli('--project', 'shop', 'audit', 'list');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.err).toContain('no project "shop" (HTTP 404)');

    await sql`DROP TRIGGER audit_log_no_update`.execute(database.db);
    await database.db.updateTable('audit_log').set({ target: 'orders-9' }).where('id', '=', 2).execute();
    const broken = await cli('--json', 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out)).toEqual({ entries: 4, intact: false, problem: 'entry 2 was changed: its fields do not give its hash' });
  });
});
