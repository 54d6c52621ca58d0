/**
 * One sandbox thread: a QuickJS engine compiled to WebAssembly
 * (quickjs-ng through quickjs-emscripten), loaded once per thread. Each
 * execution gets a new QuickJS runtime and context (its own heap, freed
 * after), so nothing one execution leaves is seen by the next. The code
 * sees ECMAScript's built-ins, its three inputs and `console`; the host's
 * objects never enter: data crosses as JSON text both ways.
 *
 * Limits, per execution: memory (QuickJS's allocator refuses past it), the
 * C stack, CPU time (an interrupt handler QuickJS polls while it runs), the
 * output and the logs. The pool (sandbox-pool.ts) also terminates a thread
 * that overruns its deadline and replaces it.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import type { CodeAnswer, CodeRequest, CodeLog } from './sandbox-protocol';
import { PRELUDE } from './sandbox-protocol';

const STACK_BYTES = 512 * 1024;

let engine: Promise<QuickJSWASMModule> | undefined;

/** Why an execution stopped, as the thread saw it. */
class Stop extends Error {
  constructor(
    readonly kind: 'error' | 'timeout' | 'memory' | 'output',
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

function run(mod: QuickJSWASMModule, req: CodeRequest): CodeAnswer {
  const started = performance.now();
  const deadline = Date.now() + req.timeoutMs;
  const runtime = mod.newRuntime();
  runtime.setMemoryLimit(req.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    if (Date.now() > deadline) interrupted = true;
    return interrupted;
  });
  const ctx = runtime.newContext();
  let logs: CodeLog[] = [];
  let dropped = 0;
  try {
    const internals = ctx.unwrapResult(ctx.evalCode(PRELUDE(req.maxLogBytes), 'braid-prelude.js'));
    const fn = (name: string) => ctx.getProp(internals, name);
    const readLogs = () => {
      const h = ctx.callFunction(fn('logs'), internals);
      if (h.error) return;
      const text = ctx.getString(h.value);
      h.value.dispose();
      const parsed = JSON.parse(text) as { logs: CodeLog[]; dropped: number };
      logs = parsed.logs;
      dropped = parsed.dropped;
    };
    try {
      const compiled = ctx.callFunction(fn('compile'), internals, ctx.newString(req.body));
      if (compiled.error) throw failure(ctx, compiled.error, interrupted, req.memoryBytes);
      const args = [compiled.value, ctx.newString(req.input), ctx.newString(req.nodes), ctx.newString(req.run)];
      const called = ctx.callFunction(fn('start'), internals, ...args);
      if (called.error) throw failure(ctx, called.error, interrupted, req.memoryBytes);
      const value = settle(ctx, called.value, () => interrupted, req.memoryBytes);
      const text = ctx.callFunction(fn('finish'), internals, value);
      if (text.error) throw failure(ctx, text.error, interrupted, req.memoryBytes);
      const length = ctx.getNumber(ctx.getProp(text.value, 'length'));
      if (length > req.maxOutputBytes) throw new Stop('output', `the output is ${length} characters as JSON; the limit is ${req.maxOutputBytes} bytes`);
      const output = ctx.getString(text.value);
      const bytes = Buffer.byteLength(output);
      if (bytes > req.maxOutputBytes) throw new Stop('output', `the output is ${bytes} bytes as JSON; the limit is ${req.maxOutputBytes} bytes`);
      readLogs();
      return { ok: true, output, logs, dropped, runMs: performance.now() - started };
    } catch (err) {
      try {
        interrupted = false; // the logs are read with a fresh allowance
        readLogs();
      } catch {
        // a runtime out of memory cannot say what it logged
      }
      if (err instanceof Stop)
        return { ok: false, kind: err.kind, message: err.message, ...(err.line ? { line: err.line } : {}), logs, dropped, runMs: performance.now() - started };
      throw err;
    }
  } finally {
    try {
      ctx.dispose();
      runtime.dispose();
    } catch {
      // a runtime that ran out of memory may not free cleanly; the pool retires this thread
    }
  }
}

/** Runs pending jobs until the promise settles; a promise nothing can settle any more (no timers here) fails at once. */
function settle(ctx: QuickJSContext, promise: QuickJSHandle, interrupted: () => boolean, memoryBytes: number): QuickJSHandle {
  for (;;) {
    const state = ctx.getPromiseState(promise);
    if (state.type === 'fulfilled') return state.value;
    if (state.type === 'rejected') throw failure(ctx, state.error, interrupted(), memoryBytes);
    const ran = ctx.runtime.executePendingJobs();
    if (ran.error) throw failure(ctx, ran.error, interrupted(), memoryBytes);
    if (ran.value === 0 && ctx.getPromiseState(promise).type === 'pending')
      throw new Stop('error', 'the code awaited a promise that nothing can settle (the sandbox has no timers and no I/O)');
  }
}

/** A thrown value as the node's failure: a timeout, the memory limit, or the code's own error with its line. */
function failure(ctx: QuickJSContext, handle: QuickJSHandle, interrupted: boolean, memoryBytes: number): Stop {
  const dumped = ctx.dump(handle) as unknown;
  handle.dispose();
  const e = (dumped !== null && typeof dumped === 'object' ? dumped : { message: String(dumped) }) as { name?: string; message?: string; stack?: string };
  const message = typeof e.message === 'string' ? e.message : String(dumped);
  if (interrupted || (e.name === 'InternalError' && message === 'interrupted')) return new Stop('timeout', 'interrupted');
  if (/out of memory/i.test(message)) return new Stop('memory', 'out of memory');
  // Out of memory before the error itself could be made: QuickJS throws null.
  if (dumped === null && nearLimit(ctx, memoryBytes)) return new Stop('memory', 'out of memory');
  const line = lineOf(e.stack);
  return new Stop('error', `${e.name ? `${e.name}: ` : ''}${message}`.slice(0, 2_000), line);
}

/** Whether the runtime's allocations are within a few percent of its limit. */
function nearLimit(ctx: QuickJSContext, memoryBytes: number): boolean {
  const usage = ctx.runtime.computeMemoryUsage();
  try {
    const { malloc_size: size } = ctx.dump(usage) as { malloc_size?: number };
    return typeof size === 'number' && size > memoryBytes * 0.9;
  } catch {
    return true;
  } finally {
    usage.dispose();
  }
}

/** The code's line from a QuickJS stack (its body starts on line 3 of the function's source). */
function lineOf(stack: string | undefined): number | undefined {
  const m = /<input>:(\d+)/.exec(stack ?? '');
  if (!m) return undefined;
  const line = Number(m[1]) - 2;
  return line >= 1 ? line : undefined;
}

/** The engine, from the WebAssembly module the pool compiled (or from its file, when none was given). */
function engineVariant() {
  const wasmModule = (workerData as { wasmModule?: WebAssembly.Module } | null)?.wasmModule;
  return wasmModule ? newVariant(variant, { wasmModule }) : variant;
}

/**
 * This thread yields the cores to the worker's own threads (Temporal's
 * polling, heartbeats, other activities): on Linux a thread has its own
 * nice value, found through /proc/thread-self. Elsewhere it is let be.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the thread keeps the process's priority
  }
}
lowerPriority();

parentPort!.on('message', (req: CodeRequest | { warm: true }) => {
  const loading = (engine ??= newQuickJSWASMModuleFromVariant(engineVariant()));
  if ('warm' in req) return;
  loading.then(
    (mod) => {
      let answer: CodeAnswer;
      try {
        answer = run(mod, req);
      } catch (err) {
        answer = { ok: false, kind: 'error', message: `the sandbox failed: ${(err as Error).message}`, logs: [], dropped: 0, runMs: 0, broken: true };
      }
      parentPort!.postMessage(answer);
    },
    (err: Error) =>
      parentPort!.postMessage({
        ok: false,
        kind: 'error',
        message: `the sandbox could not load: ${err.message}`,
        logs: [],
        dropped: 0,
        runMs: 0,
        broken: true,
      }),
  );
});
