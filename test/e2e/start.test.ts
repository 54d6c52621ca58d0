/**
 * `npm start` as a user runs it: one process tree with a Temporal dev server
 * persisting to $DATA_DIR, its Web UI, a worker and the API. It becomes ready,
 * runs a trigger→http graph, saves a workflow (SQLite in $DATA_DIR), stops
 * cleanly on SIGTERM, and finds the run and the saved workflow again after a
 * restart.
 */
import type { ChildProcess } from 'node:child_process';
import { Agent, get as httpGet } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCreatedSchema, runListSchema, runSchema, savedVersionSchema, workflowDetailSchema } from '../../src/api/schemas';
import { freePort, freeStackPorts } from '../../src/temporal/free-port';
import { locateBinary } from '../../src/temporal/binaries';
import { startDevServer } from '../../src/temporal/dev-server';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';

const root = resolve(__dirname, '..', '..');
let target: HttpTarget;
let dataDir: string;
let ports: { api: number; temporal: number; ui: number };
const children: ChildProcess[] = [];

function startBraid(extraEnv: Record<string, string> = {}) {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      DATA_DIR: dataDir,
      TASK_QUEUE: 'braid-start-e2e',
      HTTP_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  children.push(child);
  /** Log lines (JSON, on stderr) with this message, in order. */
  const logs = (msg: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}"`))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return []; // a line still being written
        }
      });
  return { child, exited, stderr: () => stderr, stdout: () => stdout, logs };
}

/** The token npm start made on its first start (no API_TOKEN): every /v1 call carries it. */
const token = () => readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
const api = (path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${ports.api}${path}`, {
    ...init,
    headers: { ...(init?.headers as Record<string, string> | undefined), authorization: `Bearer ${token()}` },
  });
// A hang guard, not a timing goal: beside the suite's other heavy files on two cores, a start has taken over a minute.
const ready = () => eventually(async () => ((await api('/readyz')).status === 200 ? true : undefined), 150_000, 250);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  target = await startHttpTarget();
  dataDir = mkdtempSync(join(tmpdir(), 'braid-start-'));
  ports = await freeStackPorts();
});

afterAll(async () => {
  // SIGTERM first: it reaches npm start's own children; a SIGKILL of the tsx CLI would orphan them.
  await Promise.all(
    children
      .filter((c) => c.exitCode === null)
      .map(async (c) => {
        c.kill('SIGTERM');
        await Promise.race([new Promise((r) => c.once('exit', r)), new Promise((r) => setTimeout(r, 20_000))]);
        if (c.exitCode === null) c.kill('SIGKILL');
      }),
  );
  await target?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  let runId: string;
  let savedVersion: string;

  it('becomes ready, serves the Web UI and runs a trigger -> http graph', { timeout: 180_000 }, async () => {
    const braid = startBraid();
    await ready();
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    // No API_TOKEN: one was made, kept in DATA_DIR (0600), and nothing on /v1 answers without it.
    expect(statSync(join(dataDir, 'api-token')).mode & 0o777).toBe(0o600);
    expect((await fetch(`http://127.0.0.1:${ports.api}/v1/runs`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${ports.api}/metrics`)).status).toBe(401);
    // Not a terminal: the banner is one JSON line on stdout, and its sign-in link opens the pages.
    const banner = await eventually(
      async () =>
        braid
          .stdout()
          .split('\n')
          .find((l) => l.includes('"msg":"Braid is up."')),
      10_000,
      100,
    );
    const link = (JSON.parse(banner) as { signIn: string }).signIn;
    expect(link).toBe(`http://127.0.0.1:${ports.api}/runs?token=${encodeURIComponent(token())}`);
    const signIn = await fetch(link, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('set-cookie')).toContain('braid_session=');

    const workflow = graph('start-e2e').trigger().http('ping', `${target.url}/delay/10?t=start-e2e`).edge('start', 'ping').build();
    const res = await api('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
    expect(res.status).toBe(201);
    runId = runCreatedSchema.parse(await res.json()).runId;
    const done = await eventually(async () => {
      const run = runSchema.parse(await (await api(`/v1/runs/${runId}`)).json());
      return run.status === 'running' ? undefined : run;
    });
    expect(done.status).toBe('succeeded');
    expect(done.nodes.ping).toMatchObject({ status: 'succeeded', output: { status: 200, body: { ok: true } } });

    // The worker's per-origin limiter, on the API's own /metrics (the worker is a child process): three
    // siblings to a path that serves one at a time, so some answers are 429.
    const limited = graph('start-e2e-limited').trigger();
    for (let i = 0; i < 3; i++)
      limited
        .http(`n${i}`, `${target.url}/limited/1/150?t=start-e2e-${i}`, { retry: { maximumAttempts: 30, initialInterval: '100ms', maximumInterval: '300ms' } })
        .edge('start', `n${i}`);
    const limitedRun = runSchema.parse(
      await (
        await api('/v1/runs', {
          method: 'POST',
          headers: { 'content-type': 'application/json', prefer: 'wait=60' },
          body: JSON.stringify({ workflow: limited.build() }),
        })
      ).json(),
    );
    expect(limitedRun.status).toBe('succeeded');
    const refused = target.requests.filter((r) => r.status === 429 && r.path.includes('t=start-e2e-')).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    const origin = new URL(target.url).origin;
    const series = await eventually(
      async () => {
        const text = await (await api('/metrics')).text();
        const value = (name: string) => Number(new RegExp(`^${name}\\{origin="${origin.replace(/[.]/g, '\\.')}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
        const found = {
          limit: value('braid_http_host_limit'),
          inFlight: value('braid_http_host_in_flight'),
          waiting: value('braid_http_host_waiting'),
          tooMany: value('braid_http_host_429_total'),
        };
        return found.tooMany === refused && found.inFlight === 0 ? found : undefined;
      },
      10_000,
      250,
    );
    expect(series.waiting).toBe(0);
    // Shrunk by the 429s, and back (three quiet round trips restore it) by the time the run is over.
    expect(series.limit).toBeGreaterThanOrEqual(1);

    const saved = await api('/v1/workflows/kept-across-restarts', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(workflow),
    });
    expect(saved.status).toBe(201);
    savedVersion = savedVersionSchema.parse(await saved.json()).version;
    expect(existsSync(join(dataDir, 'braid.db'))).toBe(true);

    braid.child.kill('SIGTERM');
    expect(await braid.exited).toBe(0);
    // the Temporal dev server it started is gone too
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`).then(
      () => 'up',
      () => 'down',
    );
    expect(ui).toBe('down');
  });

  it('finds earlier runs and saved workflows again after a restart', { timeout: 180_000 }, async () => {
    const braid = startBraid();
    await ready();
    const kept = workflowDetailSchema.parse(await (await api('/v1/workflows/kept-across-restarts')).json());
    expect(kept.latestVersion).toBe(savedVersion);
    const list = runListSchema.parse(await (await api('/v1/runs?workflow=start-e2e')).json());
    expect(list.runs.map((r) => r.runId)).toContain(runId);
    expect(runSchema.parse(await (await api(`/v1/runs/${runId}`)).json()).status).toBe('succeeded');
    const pid = braid.child.pid!;
    braid.child.kill('SIGINT');
    expect(await braid.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it(
    'supervises its parts: a killed worker or server is restarted on the same data while the API stays up, and runs finish',
    { timeout: 180_000 },
    async () => {
      // A 4 s first backoff keeps the server down longer than /readyz's 2 s deadline, so the 503 shows.
      const braid = startBraid({ LOG_LEVEL: 'info', RESTART_BACKOFF_MS: '4000' });
      try {
        await ready();
        const pidOf = (msg: string, nth = 0) => eventually(async () => braid.logs(msg)[nth]?.pid as number | undefined, 60_000, 100);
        const runTo = async (id: string) =>
          eventually(
            async () => {
              const run = runSchema.parse(await (await api(`/v1/runs/${id}`)).json());
              return run.status === 'running' ? undefined : run;
            },
            120_000,
            250,
          );
        const startRun = async (name: string, ms: number) => {
          const workflow = graph(name).trigger().http('slow', `${target.url}/delay/${ms}?t=${name}`).edge('start', 'slow').build();
          const res = await api('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
          expect(res.status).toBe(201);
          return runCreatedSchema.parse(await res.json()).runId;
        };

        // The worker dies mid-run: the API stays up, a new worker takes the run over.
        const first = await startRun('supervised-worker', 3000);
        const workerPid = await pidOf('worker process started');
        await eventually(async () => (target.requests.some((r) => r.path.includes('supervised-worker')) ? true : undefined), 30_000, 50);
        process.kill(workerPid, 'SIGKILL');
        expect((await api('/healthz')).status).toBe(200);
        const newWorkerPid = await pidOf('worker process started', 1);
        expect(newWorkerPid).not.toBe(workerPid);
        expect((await runTo(first)).status).toBe('succeeded');

        // The server dies: /readyz says so, the server comes back on the same database, earlier runs are there.
        const serverPid = await pidOf('temporal server process started');
        process.kill(serverPid, 'SIGKILL');
        expect((await api('/healthz')).status).toBe(200);
        const seen: number[] = [];
        await eventually(
          async () => {
            const status = (await api('/readyz')).status;
            seen.push(status);
            return status === 503 ? true : undefined;
          },
          30_000,
          100,
        ).catch((err: unknown) => {
          throw new Error(
            `${String(err)}; /readyz answered ${seen.join(',')}; logs: ${braid
              .stderr()
              .split('\n')
              .filter((l) => !l.includes('"sdk":true') && !l.includes('"msg":"request"'))
              .slice(-15)
              .join('\n')}`,
          );
        });
        await pidOf('temporal server process started', 1);
        await ready();
        expect(runSchema.parse(await (await api(`/v1/runs/${first}`)).json()).status).toBe('succeeded');
        expect((await runTo(await startRun('supervised-after', 10))).status).toBe('succeeded');
        expect(braid.child.exitCode).toBeNull();

        // A client holding a kept-alive connection does not hold shutdown up: the idle socket is closed.
        const agent = new Agent({ keepAlive: true });
        const socketClosed = await new Promise<Promise<void>>((resolveOuter, reject) => {
          const req = httpGet({ host: '127.0.0.1', port: ports.api, path: '/readyz', agent }, (res) => {
            res.resume();
            res.on('end', () => resolveOuter(new Promise<void>((r) => req.socket!.once('close', () => r()))));
          });
          req.on('error', reject);
        });
        braid.child.kill('SIGTERM');
        await socketClosed;
        expect(await braid.exited).toBe(0);
        agent.destroy();
      } finally {
        // Never leave it running on the ports the next tests use (SIGTERM reaches its children; SIGKILL would orphan them).
        if (braid.child.exitCode === null) {
          braid.child.kill('SIGTERM');
          await Promise.race([braid.exited, new Promise((r) => setTimeout(r, 20_000))]);
          if (braid.child.exitCode === null) braid.child.kill('SIGKILL');
        }
      }
    },
  );

  it('gives up and exits non-zero when a part keeps failing (RESTART_LIMIT)', { timeout: 180_000 }, async () => {
    const braid = startBraid({ LOG_LEVEL: 'info', RESTART_LIMIT: '0' });
    await ready();
    const workerPid = await eventually(async () => braid.logs('worker process started')[0]?.pid as number | undefined, 60_000, 100);
    process.kill(workerPid, 'SIGKILL');
    expect(await braid.exited).toBe(1);
    expect(braid.stderr()).toMatch(/worker exited \(SIGKILL\) 1 time\(s\) in a row; gave up/);
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`).then(
      () => 'up',
      () => 'down',
    );
    expect(ui).toBe('down');
  });

  it('starts no server and uses the cluster when TEMPORAL_ADDRESS is set', { timeout: 180_000 }, async () => {
    const clusterPort = await freePort();
    const cluster = await startDevServer({ cliPath: locateBinary('cli')!.path, port: clusterPort, ui: false });
    try {
      const braid = startBraid({ TEMPORAL_ADDRESS: `127.0.0.1:${clusterPort}`, TASK_QUEUE: 'braid-start-e2e-cluster' });
      await ready();
      // nothing listens where the embedded server would
      const embedded = await fetch(`http://127.0.0.1:${ports.ui}/`).then(
        () => 'up',
        () => 'down',
      );
      expect(embedded).toBe('down');
      const workflow = graph('start-e2e-cluster').trigger().set('hello', 'world').edge('start', 'hello').build();
      const res = await api('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
      const { runId } = runCreatedSchema.parse(await res.json());
      const done = await eventually(async () => {
        const run = runSchema.parse(await (await api(`/v1/runs/${runId}`)).json());
        return run.status === 'running' ? undefined : run;
      });
      expect(done.nodes.hello!.output).toBe('world');
      braid.child.kill('SIGTERM');
      expect(await braid.exited).toBe(0);
      expect(cluster.process.exitCode).toBeNull(); // the cluster is not Braid's to stop
    } finally {
      await cluster.stop();
    }
  });
});
