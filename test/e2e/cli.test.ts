/**
 * The `braid` CLI (bin/braid.cjs) as a user runs it: its own process, against
 * the real API (served on a port, with API_TOKEN), a real Temporal dev server
 * and worker.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { workerBulkTarget } from '../../src/runs/bulk';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import type { Served } from '../helpers/serve';
import { serveApp } from '../helpers/serve';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
const TOKEN = 'cli-token';
let env: TestWorkflowEnvironment;
let worker: Worker;
let workerDone: Promise<void>;
let target: HttpTarget;
let database: BraidDatabase;
let server: Served;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'braid-cli-'));
const taskQueue = uniqueId('cli-tq');

beforeAll(async () => {
  [env, target, database] = await Promise.all([createLocalEnv(), startHttpTarget(), openDatabase({ kind: 'sqlite', file: ':memory:' })]);
  const bulk = workerBulkTarget({
    client: env.client,
    namespace: 'default',
    taskQueue,
    temporalUiUrl: 'http://localhost:8233',
    nodeTypes: new Map(),
    claimCheck: false,
    database: database.db,
  });
  worker = await createTestWorker(env, testActivities({ bulk }), taskQueue);
  workerDone = worker.run();
  const app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0, apiToken: TOKEN },
    logger: silentLogger,
    watchIntervalMs: 50,
  });
  server = await serveApp(app);
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close(), database?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function braid(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'braid.cjs'), ...args],
      { cwd: dir, env: { ...process.env, BRAID_URL: url, API_TOKEN: TOKEN, ...extraEnv }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('braid CLI', () => {
  it('validate: exit 0 for a valid file, 1 with every problem and its path for an invalid one', async () => {
    const ok = await braid(['validate', join(root, 'examples', 'fan-out.json')]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^valid: \d+ nodes/);
    const bad = await braid(['validate', file('bad.json', { nodes: [{ id: 'a', type: 'htp' }] })]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('$.nodes[0].type: unknown node type "htp"');
    const asJson = await braid(['--json', 'validate', file('bad2.json', { nodes: [] })]);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ valid: false, errors: [expect.objectContaining({ path: '$.nodes' })] });
  });

  it('run --watch: a progress bar of finished nodes, then the node table; exit 0 when it succeeds', async () => {
    const def = graph('cli-watch')
      .trigger()
      .http('a', `${target.url}/delay/100`)
      .http('b', `${target.url}/delay/100`)
      .set('c', 'done')
      .edge('start', 'a')
      .edge('start', 'b')
      .edge('a', 'c')
      .edge('b', 'c')
      .build();
    const res = await braid(['run', file('watch.json', def), '--watch']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`started cli-watch-\\S+: ${url}/runs/cli-watch-`));
    expect(res.stderr).toMatch(/4\/4 nodes \| succeeded/);
    expect(res.stdout).toMatch(/cli-watch-\S+\s+succeeded/);
    for (const node of ['start', 'a', 'b', 'c']) expect(res.stdout).toMatch(new RegExp(`│ ${node}\\s+│ succeeded`));
  });

  it('run waits for a short run (Prefer: wait) and shows it; exit 1 when it fails', async () => {
    const ok = graph('cli-sync').trigger().http('a', `${target.url}/delay/50`).set('b', 'done').edge('start', 'a').edge('a', 'b').build();
    const res = await braid(['run', file('sync.json', ok)]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/cli-sync-\S+\s+succeeded/);
    for (const node of ['start', 'a', 'b']) expect(res.stdout).toMatch(new RegExp(`│ ${node}\\s+│ succeeded`));
    const failing = graph('cli-sync-fail').trigger().http('broken', `${target.url}/status/404`).edge('start', 'broken').build();
    const failed = await braid(['--json', 'run', file('sync-fail.json', failing)]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', nodes: { broken: { status: 'failed' } } });
    expect((await braid(['run', file('sync.json', ok), '--wait', '61'])).code).toBe(2);
  });

  it('run --watch --json prints one JSON line per node change and the run; exit 1 when it fails', async () => {
    const def = graph('cli-fail').trigger().http('broken', `${target.url}/status/404`).edge('start', 'broken').build();
    const res = await braid(['--json', 'run', file('fail.json', { workflow: def, input: { x: 1 } }), '--watch', '--input', '{"x":2}']);
    expect(res.code).toBe(1);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; status?: string; nodeId?: string; input?: unknown });
    expect(lines.filter((l) => l.event === 'node').map((l) => l.nodeId)).toContain('broken');
    const run = lines.at(-1)!;
    expect(run).toMatchObject({ event: 'run', status: 'failed', input: { x: 2 } });
  });

  it('redrive: runs a failed run again from what failed, reusing what succeeded; --watch follows it', async () => {
    const tag = uniqueId('cli-redrive');
    const def = graph('cli-redrive')
      .trigger()
      .http('a', `${target.url}/echo?t=${tag}-a`)
      .http('b', `${target.url}/flaky/${tag}-b/1`, { retry: { maximumAttempts: 1 } })
      .chain('start', 'a', 'b')
      .build();
    const failed = await braid(['--json', 'run', file('redrive.json', def)]);
    expect(failed.code).toBe(1);
    const { runId } = JSON.parse(failed.stdout) as { runId: string };
    const res = await braid(['redrive', runId, '--watch']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`started ${runId}-r1, a redrive of ${runId} reusing a`);
    expect(res.stdout).toMatch(new RegExp(`${runId}-r1\\s+succeeded`));
    expect(target.requests.filter((r) => r.path.endsWith(`t=${tag}-a`))).toHaveLength(1);
    const again = await braid(['--json', 'redrive', runId, '--from', 'a']);
    expect(JSON.parse(again.stdout)).toMatchObject({ runId: `${runId}-r2`, redriveOf: runId, reused: [] });
    const unknown = await braid(['redrive', runId, '--from', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('$.fromNodes[0]: "nope" is not a node of this workflow');
  });

  it('bulk cancel --wait cancels every running run of a workflow and lists them', async () => {
    const name = uniqueId('cli-bulk');
    const def = graph(name).trigger().node('pause', 'delay', { duration: '1h' }).edge('start', 'pause').build();
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push((JSON.parse((await braid(['--json', 'run', file(`bulk-${i}.json`, def), '--wait', '0'])).stdout) as { runId: string }).runId);
    // Visibility shows new runs a moment later.
    for (let i = 0; i < 50 && !(await braid(['list', '--workflow', name, '--status', 'running'])).stdout.includes(ids[1]!); i++)
      await new Promise((r) => setTimeout(r, 100));
    const res = await braid(['bulk', 'cancel', '--workflow', name, '--wait']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/succeeded: 2\/2 done, 0 failed/);
    for (const id of ids) expect(res.stdout).toContain(id);
    expect((await braid(['bulk', 'retry'])).code).toBe(2);
  });

  it('status, list and cancel', async () => {
    const def = graph('cli-cancel').trigger().node('pause', 'delay', { duration: '1h' }).edge('start', 'pause').build();
    const started = await braid(['--json', 'run', file('cancel.json', def), '--wait', '0']);
    expect(started.code).toBe(0);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    const running = await braid(['--json', 'status', runId]);
    expect(running.code).toBe(0);
    expect(JSON.parse(running.stdout)).toMatchObject({ runId, status: 'running' });
    const cancel = await braid(['cancel', runId]);
    expect(cancel).toMatchObject({ code: 0, stdout: `${runId} canceling\n` });
    let status = '';
    for (let i = 0; i < 50 && status !== 'canceled'; i++) {
      status = (JSON.parse((await braid(['--json', 'status', runId])).stdout) as { status: string }).status;
    }
    expect(status).toBe('canceled');
    expect((await braid(['status', runId])).code).toBe(1);
    const list = await braid(['list', '--workflow', 'cli-cancel']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(runId);
  });

  it('exit 2 with the reason for API and usage errors', async () => {
    const noToken = await braid(['list'], { API_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/HTTP 401/);
    expect((await braid(['status', 'no-such-run'])).code).toBe(2);
    expect((await braid(['run', join(dir, 'missing.json')])).stderr).toMatch(/cannot read/);
    expect((await braid(['frobnicate'])).code).toBe(2);
  });
});
