/**
 * Launches the Temporal CLI's dev server (server + Web UI, SQLite persistence)
 * as a child process and waits until it answers.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../graph/run-state';
import type { Logger } from '../logger';
import { freePort } from './free-port';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  ip?: string;
  port: number;
  /**
   * Port of the server's HTTP API (Braid does not use it). The CLI's default
   * is next to `port` and may be taken, which makes the server exit at once;
   * startDevServer picks a free one when this is unset.
   */
  httpPort?: number;
  uiPort?: number;
  /** false starts the server without its Web UI. */
  ui?: boolean;
  namespace?: string;
  logger?: Logger;
  /** How long to wait for the server to answer. */
  readyTimeoutMs?: number;
  /** false starts the server with Temporal's defaults (benchmarks compare both). */
  tuned?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Dynamic config of the embedded dev server, each for a measured reason (the
 * the "Server tuning" table in docs/operations.md explains them; docker-compose mounts the
 * production equivalents from src/temporal/dynamic-config.yaml):
 *
 * - The dev server has one history shard, and each shard loads its transfer
 *   and timer queues at most `…MaxPollRPS` times a second (20 by default):
 *   every dependent step (activity → workflow task → next activity) and every
 *   timer waited up to 50 ms for its queue's next load.
 * - A scheduled task (a timer, an activity's next retry) due less than
 *   `timerProcessorMaxTimeShift` (1 s by default) after the timer queue's
 *   last read is pushed back to that point: a retry with `initialInterval:
 *   "100ms"` waited ~1 s. At 50 ms it waits ~108 ms.
 * - `maximumBufferedEventsBatch` (100 by default) force-closes a workflow
 *   task that has more events buffered. Braid keeps under 100 on any server
 *   (workflows/partition.ts); the headroom here is for hand-written workflows
 *   on the same server.
 * - Search attributes are cached; refreshing them on every read costs a
 *   database read per visibility request.
 * - One host: one task-queue partition, so a poller always finds the task.
 * - Eager workflow start and eager activity execution skip a round trip each.
 * - Fairness (off by default in server 1.32): matching hands out backlogged
 *   tasks of one priority by fairness key (a run's project, or its
 *   `settings.fairnessKey` inside it) in proportion to their weights, so one
 *   busy project or large run cannot hold a queue for everyone else.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxTimeShift': '50ms',
  'history.maximumBufferedEventsBatch': 1000,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.enableEagerWorkflowStart': true,
  'system.enableActivityEagerExecution': true,
  'frontend.enableUpdateWorkflowExecution': true,
  'matching.enableFairness': true,
} as const;

/**
 * SQLite in WAL mode with `synchronous=normal`: durable across a crash of the
 * server process; an OS crash may lose the last transactions but never
 * corrupts the file (`off` could).
 */
export const DEV_SERVER_TUNING = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
  ...Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
];

export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip ?? '127.0.0.1', '--port', String(opts.port)];
  args.push('--namespace', opts.namespace ?? 'default');
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (opts.httpPort !== undefined) args.push('--http-port', String(opts.httpPort));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.ui === false) args.push('--headless');
  else {
    args.push('--ui-disable-news-fetch');
    if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  }
  if (opts.tuned !== false) args.push(...DEV_SERVER_TUNING);
  return args;
}

/** Waits until the frontend at `address` answers getSystemInfo (over `tls` when given). */
export async function waitForTemporal(address: string, timeoutMs: number, isAlive: () => boolean = () => true, tls?: TLSConfig): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('the Temporal server exited before it was ready');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000, ...(tls ? { tls } : {}) });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  const ip = opts.ip ?? '127.0.0.1';
  const address = `${ip}:${opts.port}`;
  const httpPort = opts.httpPort ?? (await freePort());
  const child = spawn(opts.cliPath, devServerArgs({ ...opts, httpPort }), { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  // Never outlive the process that started us, even if it exits without stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      process.off('exit', killOnExit);
      opts.logger?.info('temporal dev server exited', { code, signal });
      resolve();
    }),
  );
  const forward = (stream: NodeJS.ReadableStream | null) =>
    stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) opts.logger?.debug('temporal', { line });
    });
  forward(child.stdout);
  forward(child.stderr);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exited) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    await waitForTemporal(address, opts.readyTimeoutMs ?? 30_000, () => !exited);
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  return {
    address,
    uiUrl: opts.ui === false || opts.uiPort === undefined ? undefined : `http://${ip}:${opts.uiPort}`,
    process: child,
    stop,
  };
}
