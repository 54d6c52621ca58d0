/**
 * One process of the cluster: spawned in a process group of its own (a
 * SIGKILL to the group reaches whatever it started), its pid written to
 * `<runDir>/<name>.pid` for ops scripts and fault tests, its output kept in
 * `<logDir>/<name>.log`, and a `RunningPart` for the supervisor.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningPart } from '../supervise';

export interface PartProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  runDir: string;
  logDir: string;
  /** Run as this user (PostgreSQL refuses root). */
  user?: { uid: number; gid: number };
  /** Resolves once the part serves; rejects to fail the start. */
  ready: (alive: () => boolean) => Promise<void>;
  /** Signal for a clean stop (SIGTERM unless the part wants another). */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
}

/** SIGKILL a process group; one that is gone already is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: it exited meanwhile
  }
}

export const pidFile = (runDir: string, name: string) => join(runDir, `${name}.pid`);

export async function startPartProcess(opts: PartProcessOptions): Promise<RunningPart & { pid: number }> {
  mkdirSync(opts.runDir, { recursive: true });
  mkdirSync(opts.logDir, { recursive: true });
  const log = createWriteStream(join(opts.logDir, `${opts.name}.log`), { flags: 'a' });
  // A log that cannot be written must not take the launcher down.
  log.on('error', () => undefined);
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(opts.user ?? {}),
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      rmSync(pidFile(opts.runDir, opts.name), { force: true });
      resolve({ code, signal });
    }),
  );
  // The log ends when every holder of the pipes is gone, not when the process
  // exits: PostgreSQL's backends (in sessions of their own, so a SIGKILL to
  // the postmaster's group misses them) still write as they die, and a write
  // after end() was an uncaught error that took the whole launcher down.
  child.once('close', () => log.end());
  // Never outlive the launcher, even when it is killed.
  const killOnExit = () => {
    if (running && child.pid) killGroup(child.pid);
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  writeFileSync(pidFile(opts.runDir, opts.name), `${child.pid}\n`);

  const stop = async () => {
    if (!running) return;
    child.kill(opts.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => running && killGroup(child.pid!), opts.stopTimeoutMs ?? 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await opts.ready(() => running);
  } catch (err) {
    if (running) killGroup(child.pid!);
    await exited;
    throw new Error(`${opts.name} did not start: ${(err as Error).message} (log: ${join(opts.logDir, `${opts.name}.log`)})`, { cause: err });
  }
  return { pid: child.pid!, exited, stop };
}
