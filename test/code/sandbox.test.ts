/**
 * The code node's sandbox (src/code/): real QuickJS WebAssembly engines on
 * real threads. The escape catalogue: each attempt is contained (the code
 * fails with a clear error, or sees nothing of the host), the host's
 * objects are unchanged, and the pool answers the next execution.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileCode } from '../../src/code/compile';
import { createSandboxPool } from '../../src/code/sandbox-pool';
import type { CodeAnswer } from '../../src/code/sandbox-protocol';
import { CODE_LIMITS } from '../../src/code/limits';

const pool = createSandboxPool(2);
afterAll(() => pool.close());

async function run(
  code: string,
  opts: { input?: unknown; timeoutMs?: number; memoryMiB?: number; language?: 'javascript' | 'typescript' } = {},
): Promise<CodeAnswer> {
  const compiled = compileCode(code, opts.language ?? 'javascript');
  if (!compiled.ok) throw new Error(`does not compile: ${compiled.message}`);
  return pool.run({
    body: compiled.body,
    input: JSON.stringify(opts.input ?? null),
    nodes: JSON.stringify({ up: { status: 'succeeded', output: { a: 1 } } }),
    run: JSON.stringify({ id: 'run-1', startedAt: '2026-12-07T00:00:00.000Z' }),
    timeoutMs: opts.timeoutMs ?? 2_000,
    memoryBytes: (opts.memoryMiB ?? CODE_LIMITS.defaultMemoryMiB) * 1024 * 1024,
    maxOutputBytes: CODE_LIMITS.maxOutputBytes,
    maxLogBytes: CODE_LIMITS.maxLogBytes,
  });
}

const output = (a: CodeAnswer) => {
  if (!a.ok) throw new Error(`failed (${a.kind}): ${a.message}`);
  return JSON.parse(a.output) as unknown;
};
const failed = (a: CodeAnswer) => {
  if (a.ok) throw new Error(`succeeded with ${a.output}`);
  return a;
};
/** After every attack: a trivial execution still answers. */
const stillServes = async () => expect(output(await run('return 1 + 1'))).toBe(2);

describe('code sandbox', () => {
  it('runs the body of an async function of $input, $nodes and $run, and captures its console', async () => {
    const a = await run("console.log('hi', { n: $input.n }); console.warn('careful'); return { n: $input.n + 1, up: $nodes.up.output.a, run: $run.id };", {
      input: { n: 41 },
    });
    expect(output(a)).toEqual({ n: 42, up: 1, run: 'run-1' });
    expect(a.logs).toEqual([
      { level: 'info', message: 'hi {"n":41}' },
      { level: 'warn', message: 'careful' },
    ]);
  });

  it('runs TypeScript with its types stripped', async () => {
    expect(output(await run('const n: number = $input.n; interface X { a: string }; return n * 2;', { input: { n: 4 }, language: 'typescript' }))).toBe(8);
  });

  it("names the line of the code's own error", async () => {
    const a = failed(await run('const a = 1;\nconst b = 2;\nthrow new TypeError("bad " + (a + b));'));
    expect(a.kind).toBe('error');
    expect(a.message).toBe('TypeError: bad 3');
    expect(a.line).toBe(3);
  });

  it('sees no host: process, require, fetch, timers, Buffer, secrets', async () => {
    const probe = `return ['process', 'require', 'module', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'Buffer', 'XMLHttpRequest', 'WebSocket', 'std', 'os', '$secrets', '$credentials', '__dirname']
      .filter((name) => typeof globalThis[name] !== 'undefined' || (() => { try { return eval('typeof ' + name) !== 'undefined'; } catch (e) { return false; } })());`;
    expect(output(await run(probe))).toEqual([]);
  });

  it.each([
    ['the constructor chain', "return this.constructor.constructor('return process')()"],
    ['Function', "return Function('return require')()('fs')"],
    ['eval', "return eval('process.env')"],
    ['an indirect eval', "return (0, eval)('require')('child_process')"],
  ])('contains %s: a ReferenceError inside the sandbox', async (_name, code) => {
    const a = failed(await run(code));
    expect(a.kind).toBe('error');
    expect(a.message).toMatch(/ReferenceError: '?(process|require)'? is not defined/);
    await stillServes();
  });

  it('contains import(): no module can be loaded', async () => {
    const a = failed(await run("const fs = await import('fs'); return fs.readFileSync('/etc/passwd', 'utf8');"));
    expect(a.kind).toBe('error');
    await stillServes();
  });

  it("cannot pollute the host's prototypes, nor the next execution's", async () => {
    const a = await run(
      "Object.prototype.polluted = 'yes'; Array.prototype.push = () => 0; $input.__proto__.alsoPolluted = 1; JSON.parse = () => 'hijacked'; return $input;",
      {
        input: { x: 1 },
      },
    );
    expect(output(a)).toEqual({ x: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).alsoPolluted).toBeUndefined();
    expect(output(await run('const a = []; a.push(1); return [({}).polluted ?? null, a.length, JSON.parse("2")];'))).toEqual([null, 1, 2]);
  });

  it("never shows one execution's globals to another", async () => {
    expect(output(await run('globalThis.leftover = $input; var leaked = 42; return 1;', { input: 'secret-of-run-A' }))).toBe(1);
    for (let i = 0; i < 4; i++) expect(output(await run('return [typeof leftover, typeof leaked];'))).toEqual(['undefined', 'undefined']);
  });

  it('gives stack tricks nothing of the host', async () => {
    const a = output(
      await run(
        'Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getFileName()); Error.captureStackTrace?.({}); try { null.x } catch (e) { return String(e.stack); }',
      ),
    ) as string;
    expect(a).not.toMatch(/node:|\/work|\.ts|file:/);
  });

  it('stops an infinite loop at its time limit, while the host thread keeps running', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const started = Date.now();
    const a = failed(await run('for (;;) {}', { timeoutMs: 500 }));
    clearInterval(timer);
    expect(a.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(3);
    await stillServes();
  });

  it('stops a catastrophic regular expression', async () => {
    const a = failed(await run("return /^(a+)+$/.test('a'.repeat(40) + '!');", { timeoutMs: 500 }));
    expect(a.kind).toBe('timeout');
    await stillServes();
  });

  it('fails deep recursion with a clear error', async () => {
    const a = failed(await run('const f = (n) => f(n + 1) + 1; return f(0);'));
    expect(a.kind).toBe('error');
    expect(a.message).toMatch(/stack/i);
    await stillServes();
  });

  it('stops a memory bomb at its memory limit', async () => {
    for (const bomb of [
      'const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20));',
      'const keep = []; for (;;) keep.push({ a: keep.length, b: [1, 2, 3] });',
    ]) {
      const a = failed(await run(bomb, { timeoutMs: 10_000 }));
      expect(a.kind, bomb).toBe('memory');
      await stillServes();
    }
  });

  it('stops a memory bomb that outlasts its time limit, the thread replaced', async () => {
    // Near the limit, QuickJS spends seconds in single string allocations that poll no interrupt: the pool terminates the thread.
    const started = Date.now();
    const a = failed(await run("const keep = []; for (;;) keep.push('x'.repeat(1 << 20) + keep.length);", { timeoutMs: 1_000 }));
    expect(['timeout', 'memory']).toContain(a.kind);
    expect(Date.now() - started).toBeLessThan(5_000);
    await stillServes();
  });

  it('refuses an output over 1 MiB', async () => {
    const a = failed(await run("return 'x'.repeat(2 * 1024 * 1024);"));
    expect(a.kind).toBe('output');
    await stillServes();
  });

  it('keeps the first 64 KiB of logs and counts the rest', async () => {
    const a = await run("for (let i = 0; i < 100000; i++) console.log('line ' + i); return 'done';");
    expect(output(a)).toBe('done');
    expect(a.logs[0]).toEqual({ level: 'info', message: 'line 0' });
    expect(JSON.stringify(a.logs.slice(0, -1)).length).toBeLessThanOrEqual(CODE_LIMITS.maxLogBytes);
    expect(a.dropped).toBeGreaterThan(90_000);
    expect(a.logs.at(-1)).toEqual({ level: 'warn', message: `[log limit of 65536 bytes reached: ${a.dropped} more console call(s) dropped]` });
  });

  it('fails at once on a promise that nothing can settle', async () => {
    const started = Date.now();
    const a = failed(await run('await new Promise(() => {}); return 1;', { timeoutMs: 5_000 }));
    expect(a.kind).toBe('error');
    expect(a.message).toMatch(/nothing can settle/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('contains Atomics.wait and SharedArrayBuffer', async () => {
    const a = failed(await run('const sab = new SharedArrayBuffer(16); Atomics.wait(new Int32Array(sab), 0, 0); return 1;', { timeoutMs: 500 }));
    expect(['error', 'timeout']).toContain(a.kind);
    await stillServes();
  });

  it('turns what JSON cannot say into null, and fails on what it refuses', async () => {
    expect(output(await run('return undefined;'))).toBeNull();
    expect(output(await run('return () => 1;'))).toBeNull();
    expect(failed(await run('return 10n;')).message).toMatch(/TypeError/);
  });
});
