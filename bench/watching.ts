/**
 * The watched-run scenario: the same graph through the API, unwatched and
 * watched by 10 SSE clients and 10 pollers (GET every 20 ms), alternating;
 * and the lag from a node's change (its startedAt / finishedAt in the run
 * state) to an SSE client receiving it, also during a wide run.
 */
import type { Client } from '@temporalio/client';
import type { GraphDefinition } from '../src/graph/schema';
import type { RunView } from '../src/runs/run-view';
import { readSse } from '../test/helpers/sse';
import { STACK_TOKEN, stackAuth } from '../test/helpers/stack-token';

interface Stats {
  n: number;
  median: number;
  p95: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, median: q(0.5), p95: q(0.95) };
};

async function start(api: string, workflow: GraphDefinition): Promise<string> {
  const res = await fetch(`${api}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stackAuth },
    body: JSON.stringify({ workflow }),
  });
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { runId: string }).runId;
}

/** Reads a run's SSE stream to its `run` event; records each node change's lag. */
export async function watchSse(api: string, runId: string, lags: number[]): Promise<void> {
  const events = await readSse(await fetch(`${api}/v1/runs/${runId}/events`, { headers: stackAuth }), (e) => e.event === 'run');
  for (const e of events) {
    if (e.event !== 'node') continue;
    const node = e.data as { status: string; startedAt?: string | null; finishedAt?: string | null };
    const at = node.finishedAt ?? (node.status === 'running' ? node.startedAt : null);
    if (at) lags.push(e.receivedAt - Date.parse(at));
  }
}

async function poll(api: string, runId: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${api}/v1/runs/${runId}`, { headers: stackAuth });
    const body = (await res.json()) as Pick<RunView, 'status'>;
    if (body.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function measureWatching(opts: { api: string; client: Client; reps: number; wideWidth: number; s1: GraphDefinition; wide: GraphDefinition }) {
  const unwatched: number[] = [];
  const watched: number[] = [];
  const lags: number[] = [];
  for (let i = 0; i < opts.reps; i++) {
    let t0 = performance.now();
    let runId = await start(opts.api, opts.s1);
    await opts.client.workflow.getHandle(runId).result();
    unwatched.push(performance.now() - t0);

    t0 = performance.now();
    runId = await start(opts.api, opts.s1);
    const watchers = [...Array.from({ length: 10 }, () => watchSse(opts.api, runId, lags)), ...Array.from({ length: 10 }, () => poll(opts.api, runId))];
    await opts.client.workflow.getHandle(runId).result();
    watched.push(performance.now() - t0);
    await Promise.all(watchers);
  }
  const wideLags: number[] = [];
  const wideId = await start(opts.api, opts.wide);
  await Promise.all([...Array.from({ length: 10 }, () => watchSse(opts.api, wideId, wideLags)), opts.client.workflow.getHandle(wideId).result()]);
  const u = stats(unwatched);
  const w = stats(watched);
  return {
    unwatched: u,
    watched: w,
    ratio: Math.round((w.median / u.median) * 1000) / 1000,
    lag: stats(lags),
    wideLag: stats(wideLags),
    wideWidth: opts.wideWidth,
  };
}

/**
 * The API as its own process (as deployed: `npm run api`), so that what it
 * does is measured without sharing a Node thread with the benchmark's worker
 * and HTTP target. No claim check, like the bench's worker (a claim-checked
 * start would be unreadable to it).
 */
export async function startApiProcess(temporalAddress: string, taskQueue: string, port: number): Promise<{ url: string; stop: () => void }> {
  const { spawn } = await import('node:child_process');
  const { resolve, join } = await import('node:path');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  // Its own SQLite database (saved workflows, learned durations), not the project's .data.
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-bench-api-'));
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '..', 'src', 'api.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      TASK_QUEUE: taskQueue,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
      PAYLOAD_STORE: 'off',
      DATA_DIR: dataDir,
      API_TOKEN: STACK_TOKEN,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error('the API process did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * POSTs a run (to `/v1/runs` or a saved workflow's runs) with `Prefer: wait=60`
 * and times it to the answer carrying the finished run, client-observed;
 * anything but a succeeded run in the answer is an error.
 */
export async function postAndWait(api: string, path: string, body: unknown): Promise<{ ms: number; runId: string }> {
  const t0 = performance.now();
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'wait=60', ...stackAuth },
    body: JSON.stringify(body),
  });
  const run = (await res.json()) as Partial<Pick<RunView, 'status'>> & Pick<RunView, 'runId'>;
  const ms = performance.now() - t0;
  if (res.headers.get('preference-applied') === null || run.status !== 'succeeded') {
    throw new Error(`POST ${path}: the run did not come back finished (${res.status} ${run.status} after ${Math.round(ms)} ms)`);
  }
  return { ms, runId: run.runId };
}
