/**
 * Code nodes through the API and a real worker process on the dev server:
 * syntax errors refused with their line and column, output and logs on the
 * node in GET /v1/runs/:id, failures typed with what the code logged, a
 * secret reaching the code only as an inert string, and the escape
 * catalogue run in parallel beside a trivial run, the worker process the
 * same one at the end.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import type { Served } from '../helpers/serve';
import { serveApp } from '../helpers/serve';
import { createLocalEnv, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
const taskQueue = uniqueId('code');
let env: TestWorkflowEnvironment;
let worker: ChildProcess;
let exited = false;
let api: Served;

beforeAll(async () => {
  env = await createLocalEnv();
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', BRAID_SECRET_API_KEY: 'sk-live-very-secret' },
    stdio: 'ignore',
  });
  worker.on('exit', () => (exited = true));
  const app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://127.0.0.1:1', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
  });
  api = await serveApp(app);
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await api?.close();
  await env?.teardown();
});

type Node = {
  queuedMs?: number;
  runMs?: number;
  startedAt?: string;
  finishedAt?: string;
  status: string;
  output?: unknown;
  error?: { type: string; message: string };
  logs?: { level: string; message: string }[];
  logsDropped?: number;
};

function workflow(code: string, data: Record<string, unknown> = {}, before: unknown[] = []) {
  const ids = ['start', ...before.map((n) => (n as { id: string }).id), 'code'];
  return {
    name: uniqueId('code-wf'),
    nodes: [{ id: 'start', type: 'trigger' }, ...before, { id: 'code', type: 'code', data: { code, ...data } }],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id })),
  };
}

async function post(body: unknown) {
  const res = await fetch(`${api.url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'wait=60' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Runs a workflow to its end through the API; the code node's state as GET /v1/runs/:id shows it. */
async function runCode(code: string, data: Record<string, unknown> = {}, input: unknown = {}, before: unknown[] = []): Promise<Node> {
  const started = await post({ workflow: workflow(code, data, before), input });
  expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);
  const runId = started.body.runId as string;
  for (;;) {
    const view = (await (await fetch(`${api.url}/v1/runs/${runId}`)).json()) as { status: string; nodes: Record<string, Node> };
    if (!['running', 'queued'].includes(view.status)) return view.nodes.code!;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('code nodes', () => {
  it('refuses a syntax error with its line and column, in JavaScript and TypeScript', async () => {
    const js = await post({ workflow: workflow('const a = 1;\nreturn a +;') });
    expect(js.status).toBe(422);
    expect(js.body.errors).toEqual([
      expect.objectContaining({
        path: '$.workflow.nodes[1].data.code',
        line: 2,
        column: 11,
        message: expect.stringMatching(/^syntax error at line 2, column 11: /),
      }),
    ]);
    const ts = await post({ workflow: workflow('const a: number = 1;\nconst b: = 2;\nreturn a;', { language: 'typescript' }) });
    expect(ts.status).toBe(422);
    expect(ts.body.errors).toEqual([expect.objectContaining({ path: '$.workflow.nodes[1].data.code', line: 2 })]);
    // The code is not a template: `{%` in it is JavaScript's business, not an expression.
    const literal = await post({ workflow: workflow("return '{% not an expression %}';") });
    expect(literal.status).toBe(201);
  });

  it('runs on $input, $nodes and $run, and shows its output and logs on the node', async () => {
    const node = await runCode(
      "console.log('got', $input.n); console.error('and', $nodes.up.output); return { n: $input.n + 1, up: $nodes.up.output, run: typeof $run.id };",
      {},
      { n: 41 },
      [{ id: 'up', type: 'set', data: { value: { ok: true } } }],
    );
    expect(node).toMatchObject({ status: 'succeeded', output: { n: 42, up: { ok: true }, run: 'string' } });
    expect(node.logs).toEqual([
      { level: 'info', message: 'got 41' },
      { level: 'error', message: 'and {"ok":true}' },
    ]);
  }, 60_000);

  it('fails with CodeError, its line and what it logged', async () => {
    const node = await runCode("console.log('before');\nthrow new RangeError('no such order');");
    expect(node).toMatchObject({ status: 'failed', error: { type: 'CodeError', message: 'RangeError: no such order (line 2)' } });
    expect(node.logs).toEqual([{ level: 'info', message: 'before' }]);
  }, 60_000);

  it('gets a secret only as an inert string, which stays one downstream', async () => {
    const node = await runCode('return [$nodes.s.output, typeof $secrets];', {}, {}, [{ id: 's', type: 'set', data: { value: '{% $secrets.API_KEY %}' } }]);
    expect(node).toMatchObject({ status: 'succeeded', output: ['[secret]', 'undefined'] });
    expect(JSON.stringify(node)).not.toContain('sk-live');
  }, 60_000);

  it('contains the escape catalogue in parallel runs while a trivial run succeeds, and the worker lives', async () => {
    const pid = worker.pid;
    const attacks: [string, string, Record<string, unknown>, string][] = [
      ['constructor chain', "return this.constructor.constructor('return process')().env", {}, 'CodeError'],
      ['Function', "return Function('return require')()('child_process')", {}, 'CodeError'],
      ['import()', "return (await import('fs')).readFileSync('/etc/passwd', 'utf8')", {}, 'CodeError'],
      ['infinite loop', 'for (;;) {}', { timeout: '1s' }, 'CodeTimeout'],
      ['catastrophic regex', "return /^(a+)+$/.test('a'.repeat(40) + '!')", { timeout: '1s' }, 'CodeTimeout'],
      // At the default 64 MiB this bomb reaches the limit in a fraction of a second (at 16 MiB QuickJS takes seconds, which a loaded machine can stretch past the time limit).
      ['memory bomb', 'const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20));', { timeout: '30s' }, 'CodeMemoryLimit'],
      ['huge output', "return 'x'.repeat(3 << 20)", {}, 'CodeOutputLimit'],
      ['never settles', 'await new Promise(() => {})', {}, 'CodeError'],
      ['deep recursion', 'const f = () => f(); return f()', {}, 'CodeError'],
    ];
    let t0 = Date.now();
    await runCode('return { n: $input.n + 1 }', {}, { n: 1 });
    console.log(`a trivial code run alone took ${Date.now() - t0} ms (client-observed)`);
    const hostile = Promise.all(attacks.map(([, code, data]) => runCode(code, data)));
    t0 = Date.now();
    const trivial = await runCode('return { n: $input.n + 1 }', {}, { n: 1 });
    console.log(`a trivial code run among ${attacks.length} hostile ones took ${Date.now() - t0} ms (client-observed)`, JSON.stringify(trivial));
    expect(trivial).toMatchObject({ status: 'succeeded', output: { n: 2 } });
    const nodes = await hostile;
    attacks.forEach(([name, , , type], i) => expect({ name, status: nodes[i]!.status, type: nodes[i]!.error?.type }).toEqual({ name, status: 'failed', type }));
    const logs = await runCode("for (let i = 0; i < 50000; i++) console.log('line ' + i); return 1");
    expect(logs, JSON.stringify(logs).slice(0, 500)).toMatchObject({ status: 'succeeded', output: 1 });
    expect(logs.logs?.[0]).toEqual({ level: 'info', message: 'line 0' });
    expect(logs.logsDropped).toBeGreaterThan(40_000);
    expect(exited).toBe(false);
    expect(worker.pid).toBe(pid);
  }, 300_000);
});
