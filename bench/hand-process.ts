/**
 * The hand-written baselines' worker as a process of its own
 * (bench/hand-worker.ts), so that its CPU is counted apart from the bench's
 * clients: beside `npm start` (bench/default-stack.ts) and beside the
 * cluster's Braid workers (bench/cluster.ts, with the frontend's client
 * certificate).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TemporalTlsFiles } from '../src/config';

const ROOT = resolve(__dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HandWorker {
  pid: number;
  stop(): Promise<void>;
}

export async function startHandWorker(temporal: string, taskQueue: string, tls?: TemporalTlsFiles): Promise<HandWorker> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'hand-worker.ts'), temporal, taskQueue], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(tls ? { BENCH_TEMPORAL_TLS: JSON.stringify(tls) } : {}) },
  });
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && ready());
    child.once('exit', (code) => fail(new Error(`the hand-written worker exited (${code})`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A process's CPU time so far (user + system), in ms, from /proc. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces): state ppid … utime(14) stime(15); clock ticks of 10 ms.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits until none of `pids` used more than 2% of a core over half a second (what came before has settled), at most 30 s. */
export async function quiet(pids: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = pids.map(cpuMs);
    await sleep(500);
    if (pids.every((pid, i) => cpuMs(pid) - before[i]! <= 10)) return;
  }
}
