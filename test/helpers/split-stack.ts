/**
 * Braid as split processes — `npm run temporal`, `npm run worker`,
 * `npm run api` — for fault tests that kill one part and keep the others.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeStackPorts, portOpen } from '../../src/temporal/free-port';
import { eventually } from './sse';
import { STACK_TOKEN } from './stack-token';

const root = resolve(__dirname, '..', '..');
export type Part = 'temporal' | 'worker' | 'worker2' | 'api';
const ENTRY: Record<Part, string> = { temporal: 'src/temporal-server.ts', worker: 'src/worker.ts', worker2: 'src/worker.ts', api: 'src/api.ts' };

export interface SplitStack {
  api: string;
  /** The Temporal frontend, host:port. */
  temporal: string;
  start(part: Part): Promise<ChildProcess>;
  /** The server, then worker and API, and wait until /readyz answers 200. */
  startAll(): Promise<void>;
  kill(part: Part, signal?: NodeJS.Signals): Promise<void>;
  /** The process id of a part's current process. */
  pid(part: Part): number | undefined;
  stop(): Promise<void>;
}

export async function startSplitStack(extraEnv: Record<string, string> = {}, opts: { workers?: 1 | 2 } = {}): Promise<SplitStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-split-'));
  const ports = await freeStackPorts();
  const env = {
    ...process.env,
    PORT: String(ports.api),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    DATA_DIR: dataDir,
    TASK_QUEUE: 'braid-split',
    LOG_LEVEL: 'warn',
    HTTP_ALLOWLIST: '127.0.0.1',
    API_TOKEN: STACK_TOKEN,
    ...extraEnv,
  };
  const procs = new Map<Part, ChildProcess>();
  const api = `http://127.0.0.1:${ports.api}`;

  const start = async (part: Part) => {
    // `node --import tsx`, not the tsx CLI: the CLI runs the program in a child
    // process, so a SIGKILL to it would leave the real worker running.
    // Each part leads its own process group, so a kill reaches its children
    // too (`npm run temporal` is a Node parent of the Temporal CLI).
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[part]], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
    procs.set(part, child);
    if (part === 'temporal') {
      await eventually(async () => ((await portOpen(ports.temporal)) ? true : undefined), 60_000, 200);
    }
    return child;
  };
  const kill = async (part: Part, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = procs.get(part);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (signal === 'SIGKILL')
      process.kill(-child.pid!, 'SIGKILL'); // the whole group, at once
    else child.kill(signal); // a clean stop: the part stops its own children
    await exited;
    if (part === 'temporal') {
      // wait until the server's port is closed
      await eventually(async () => ((await portOpen(ports.temporal)) ? undefined : true), 15_000, 100);
    }
  };
  return {
    api,
    temporal: `127.0.0.1:${ports.temporal}`,
    start,
    async startAll() {
      await start('temporal');
      await Promise.all([start('worker'), ...(opts.workers === 2 ? [start('worker2')] : []), start('api')]);
      await eventually(() => isReady(api), 60_000, 250);
    },
    kill,
    pid: (part) => procs.get(part)?.pid,
    async stop() {
      for (const part of ['api', 'worker', 'worker2', 'temporal'] as Part[]) await kill(part, 'SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function isReady(api: string): Promise<true | undefined> {
  const res = await fetch(`${api}/readyz`).catch(() => undefined);
  return res?.status === 200 ? true : undefined;
}
