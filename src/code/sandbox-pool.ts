/**
 * The code node's sandbox pool: a few threads (sandbox-thread.ts), each with
 * its own QuickJS WebAssembly engine, taking one execution at a time. Code
 * never runs on the worker's own thread, so a loop that QuickJS's interrupt
 * does not stop cannot hold the worker's heartbeats or its other activities:
 * the pool terminates a thread that has not answered a second past its
 * deadline (or whose execution was canceled) and starts a new one. A thread
 * that hit the memory limit is replaced too, so its grown WebAssembly memory
 * is given back.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CodeAnswer, CodeLog, CodeRequest } from './sandbox-protocol';

/** How long past its deadline a thread may stay silent before it is terminated. */
const GRACE_MS = 1_000;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

interface Job {
  req: CodeRequest;
  resolve: (a: CodeAnswer) => void;
  signal?: AbortSignal;
}

class Slot {
  private worker: Worker | undefined;
  busy = false;

  private spawn(): Worker {
    // The thread runs TypeScript through tsx's require hook, as the worker process does (whatever loaded this module).
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(join(__dirname, 'sandbox-thread.ts'))});`;
    const worker = new Worker(boot, { eval: true, execArgv: [], stdout: true, stderr: true });
    worker.unref();
    return worker;
  }

  /** Runs one job; never rejects. */
  run(job: Job): Promise<CodeAnswer> {
    this.busy = true;
    const worker = (this.worker ??= this.spawn());
    const started = performance.now();
    return new Promise<CodeAnswer>((resolve) => {
      let done = false;
      const finish = (answer: CodeAnswer, retire: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        job.signal?.removeEventListener('abort', onAbort);
        if (retire) {
          if (this.worker === worker) this.worker = undefined;
          void worker.terminate();
        }
        this.busy = false;
        resolve(answer);
      };
      const stopped = (kind: 'timeout' | 'error', message: string) =>
        finish({ ok: false, kind, message, logs: [], dropped: 0, runMs: performance.now() - started }, true);
      const onMessage = (answer: CodeAnswer) => finish(clean(answer, job.req.maxLogBytes), !answer.ok && (answer.kind === 'memory' || answer.broken === true));
      const onError = (err: Error) => stopped('error', `the sandbox failed: ${err.message}`);
      const onExit = () => stopped('error', 'the sandbox thread exited');
      const onAbort = () => stopped('error', 'canceled');
      const timer = setTimeout(() => stopped('timeout', 'interrupted'), job.req.timeoutMs + GRACE_MS);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      job.signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(job.req);
    });
  }

  close(): Promise<number> | undefined {
    const w = this.worker;
    this.worker = undefined;
    return w?.terminate();
  }
}

/** What a thread said, bounded again here: logs are checked and cut to the request's allowance whatever the code did to its console. */
function clean(answer: CodeAnswer, maxLogBytes: number): CodeAnswer {
  const logs: CodeLog[] = [];
  let room = maxLogBytes;
  let dropped = typeof answer.dropped === 'number' && Number.isFinite(answer.dropped) ? Math.max(0, Math.floor(answer.dropped)) : 0;
  for (const l of Array.isArray(answer.logs) ? answer.logs : []) {
    if (!l || typeof l.message !== 'string' || !LEVELS.has(l.level)) continue;
    if (room <= 0) {
      dropped++;
      continue;
    }
    logs.push({ level: l.level, message: l.message.slice(0, room) });
    room -= l.message.length;
  }
  return { ...answer, logs, dropped };
}

export interface SandboxPool {
  run(req: CodeRequest, signal?: AbortSignal): Promise<CodeAnswer>;
  close(): Promise<void>;
}

/** A pool of `size` sandbox threads (started when first needed). */
export function createSandboxPool(size: number): SandboxPool {
  const slots = Array.from({ length: Math.max(1, size) }, () => new Slot());
  const waiting: Job[] = [];
  const next = () => {
    for (const slot of slots) {
      if (slot.busy || waiting.length === 0) continue;
      const job = waiting.shift()!;
      if (job.signal?.aborted) {
        job.resolve({ ok: false, kind: 'error', message: 'canceled', logs: [], dropped: 0, runMs: 0 });
        continue;
      }
      void slot.run(job).then((answer) => {
        job.resolve(answer);
        next();
      });
    }
  };
  return {
    run(req, signal) {
      return new Promise<CodeAnswer>((resolve) => {
        waiting.push({ req, resolve, ...(signal ? { signal } : {}) });
        next();
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.close()));
    },
  };
}
