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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CodeAnswer, CodeLog, CodeRequest } from './sandbox-protocol';
import { LOG_ENTRY_OVERHEAD } from './sandbox-protocol';

/** How long past its deadline a thread may stay silent before it is terminated. */
const GRACE_MS = 1_000;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

interface Job {
  req: CodeRequest;
  resolve: (a: CodeAnswer) => void;
  signal?: AbortSignal;
}

/** A compiled WebAssembly module (typed here: the project's libraries leave the WebAssembly global out). */
type WasmModule = object;
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } };
let compiled: WasmModule | undefined;

/** The engine's WebAssembly, compiled once per process and handed to each thread (compiling it is most of a thread's start). */
function engineModule(): WasmModule {
  return (compiled ??= new wasm.Module(readFileSync(require.resolve('@jitl/quickjs-ng-wasmfile-release-sync/wasm'))));
}

class Slot {
  private worker: Worker | undefined;
  busy = false;

  private spawn(): Worker {
    // The thread runs TypeScript through tsx's require hook, as the worker process does (whatever loaded this module).
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(join(__dirname, 'sandbox-thread.ts'))});`;
    const worker = new Worker(boot, { eval: true, execArgv: [], stdout: true, stderr: true, workerData: { wasmModule: engineModule() } });
    worker.unref();
    return worker;
  }

  /** Starts the thread and has it load its engine, so the next job does not wait for either. */
  warm(): void {
    if (this.worker) return;
    this.worker = this.spawn();
    this.worker.postMessage({ warm: true });
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

/**
 * What a thread said, bounded again here whatever the code did to its
 * console: entries checked, cut to the request's allowance (as JSON), and a
 * last entry saying how many calls were dropped.
 */
function clean(answer: CodeAnswer, maxLogBytes: number): CodeAnswer {
  const logs: CodeLog[] = [];
  let room = maxLogBytes;
  let dropped = typeof answer.dropped === 'number' && Number.isFinite(answer.dropped) ? Math.max(0, Math.floor(answer.dropped)) : 0;
  for (const l of Array.isArray(answer.logs) ? answer.logs : []) {
    if (!l || typeof l.message !== 'string' || !LEVELS.has(l.level)) continue;
    if (room <= LOG_ENTRY_OVERHEAD) {
      dropped++;
      continue;
    }
    const message = l.message.slice(0, room - LOG_ENTRY_OVERHEAD);
    logs.push({ level: l.level, message });
    room -= message.length + LOG_ENTRY_OVERHEAD;
  }
  if (dropped > 0) logs.push({ level: 'warn', message: `[log limit of ${maxLogBytes} bytes reached: ${dropped} more console call(s) dropped]` });
  return { ...answer, logs, dropped };
}

export interface SandboxPool {
  run(req: CodeRequest, signal?: AbortSignal): Promise<CodeAnswer>;
  close(): Promise<void>;
}

/** Most sandbox threads of a worker process by default (CODE_SANDBOXES). */
export const DEFAULT_SANDBOXES = 16;

/** How long a thread beyond the pool's first two may stay idle before it is ended. */
const IDLE_MS = 30_000;
const KEEP = 2;

/**
 * A pool of up to `max` sandbox threads, started when needed: a node that
 * arrives while every thread is busy gets a new thread (up to `max`), so a
 * few nodes that hold their threads to their time limit (a loop, a bomb) do
 * not make a trivial one wait for them; the operating system shares the
 * cores. Threads beyond two end after 30 s idle.
 */
export function createSandboxPool(max: number): SandboxPool {
  const limit = Math.max(1, max);
  const slots: Slot[] = [];
  const idleSince = new Map<Slot, number>();
  const waiting: Job[] = [];
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [slot, since] of idleSince) {
      if (slots.length <= KEEP || now - since < IDLE_MS) continue;
      idleSince.delete(slot);
      slots.splice(slots.indexOf(slot), 1);
      void slot.close();
    }
  };
  const next = () => {
    while (waiting.length > 0) {
      const job = waiting.shift()!;
      if (job.signal?.aborted) {
        job.resolve({ ok: false, kind: 'error', message: 'canceled', logs: [], dropped: 0, runMs: 0 });
        continue;
      }
      let slot = slots.find((s) => !s.busy);
      if (!slot && slots.length < limit) slots.push((slot = new Slot()));
      if (!slot) {
        waiting.unshift(job);
        return;
      }
      idleSince.delete(slot);
      const taken = slot;
      // A thread takes a while to start: keep one ready for the next node, while there is room.
      if (!slots.some((s) => !s.busy && s !== taken) && slots.length < limit) {
        const spare = new Slot();
        slots.push(spare);
        idleSince.set(spare, Date.now());
        spare.warm();
      }
      void taken.run(job).then((answer) => {
        idleSince.set(taken, Date.now());
        job.resolve(answer);
        next();
      });
    }
  };
  return {
    run(req, signal) {
      sweeper ??= setInterval(sweep, IDLE_MS / 3).unref();
      return new Promise<CodeAnswer>((resolve) => {
        waiting.push({ req, resolve, ...(signal ? { signal } : {}) });
        next();
      });
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      await Promise.all(slots.map((s) => s.close()));
    },
  };
}
