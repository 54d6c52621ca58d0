/**
 * `npm run bench -- --stack`: Braid as a user runs it. `npm start` (its own
 * Temporal dev server, its worker process, the API in the start process),
 * driven only through the API (`Prefer: wait`, client-observed), beside the
 * hand-written baselines: the same shapes as plain Temporal workflows, run
 * by a worker process of their own (bench/hand-worker.ts, Braid's SDK
 * settings) on the same server, in the same run. Rows: S1, the 1,000-wide
 * local fan-out, start latency at 50 clients, SSE lag, CPU per node by
 * role, S11 (a throttle that recovers) and S8 (priority behind a backlog, on
 * a second `npm start` with WORKER_MAX_ACTIVITIES=20).
 *
 * Writes bench/results/default-stack.{json,md}. Every figure in the JSON
 * names its scenario, its stack (`npm start`) and whether it is Braid or a
 * baseline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { GraphDefinition } from '../src/graph/schema';
import { createApiClient } from '../src/temporal/connection';
import { freeStackPorts } from '../src/temporal/free-port';
import type { HttpTarget } from '../test/helpers/http-target';
import { startHttpTarget } from '../test/helpers/http-target';
import { STACK_TOKEN, stackAuth } from '../test/helpers/stack-token';
import { fanOut } from './graphs';
import { cpuMs, quiet, startHandWorker } from './hand-process';
import { postAndWait, watchSse } from './watching';
import type { Stats } from './stats';
import { quantile, round, stats } from './stats';

const ROOT = resolve(__dirname, '..');
const HAND_QUEUE = 'braid-bench-hand';
const STACK = 'npm start';

interface Figure {
  scenario: string;
  stack: typeof STACK;
  /** Braid, or the baseline it is compared with. */
  subject: 'braid' | 'hand-written' | 'in-memory floor' | 'temporal client';
  unit: string;
  observed: 'client' | 'self-reported (/proc of each process)';
  stats: Stats;
}

interface Goal {
  scenario: string;
  goal: string;
  measured: string;
  met: boolean;
}

interface Stack {
  api: string;
  temporal: string;
  pids: { api: number; worker: number; server: number };
  stop(): Promise<void>;
}

/** `npm start` with its own DATA_DIR and ports; resolves once /readyz answers 200. */
export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-bench-stack-'));
  const ports = await freeStackPorts();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      DATA_DIR: dataDir,
      API_TOKEN: STACK_TOKEN,
      HTTP_ALLOWLIST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-200_000)));
  const pidOf = (msg: string) => {
    const line = stderr.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
    return line ? Number((JSON.parse(line) as { pid: number }).pid) : undefined;
  };
  const api = `http://127.0.0.1:${ports.api}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${api}/readyz`, { headers: stackAuth }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok && pidOf('worker process started') && pidOf('temporal server process started')) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not become ready: ${stderr.slice(-2_000)}`);
    }
    await sleep(250);
  }
  const exited = new Promise((r) => child.once('exit', r));
  return {
    api,
    temporal: `127.0.0.1:${ports.temporal}`,
    pids: { api: child.pid!, worker: pidOf('worker process started')!, server: pidOf('temporal server process started')! },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(
  api: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stackAuth, ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: json, ms: performance.now() - t0 };
}

/** A run through the API with `Prefer: wait`, start → the answer carrying the finished run (bench/watching.ts); it must have succeeded. */
const runWaiting = async (api: string, workflow: GraphDefinition, extra: Record<string, unknown> = {}) =>
  (await postAndWait(api, '/v1/runs', { workflow, ...extra })).ms;

async function runHand(client: Client, type: string, args: unknown[]): Promise<number> {
  const t0 = performance.now();
  await client.workflow.execute(type, { taskQueue: HAND_QUEUE, workflowId: `hand-${Math.random().toString(36).slice(2)}`, args });
  return performance.now() - t0;
}

export async function benchDefaultStack(opts: { quick: boolean; outDir: string; log: (msg: string) => void; only?: string[] }): Promise<string> {
  const { quick, log } = opts;
  const want = (name: string) => !opts.only || opts.only.includes(name);
  const figures: Figure[] = [];
  const goals: Goal[] = [];
  const table: string[] = [];
  const figure = (scenario: string, subject: Figure['subject'], xs: number[], unit = 'ms', observed: Figure['observed'] = 'client') => {
    const s = stats(xs);
    figures.push({ scenario, stack: STACK, subject, unit, observed, stats: s });
    return s;
  };
  const reps = quick ? 3 : 10;
  const target = await startHttpTarget();
  const untouched = await startHttpTarget();
  try {
    log('npm start: starting');
    let stack = await startStack();
    let hand = await startHandWorker(stack.temporal, HAND_QUEUE);
    let client = createApiClient(stack.temporal);
    try {
      const base = target.url;
      // Warm-up: the worker's caches, the API's first compile of each route, the connection pools.
      for (let i = 0; i < 3; i++) {
        await runWaiting(stack.api, fanOut(base, 5, 1, 1));
        await runWaiting(stack.api, fanOut(base, 5, 1, 1, 'parallel', 'local'));
        await runHand(client, 'handFanOut', [base, 1, 5, 1]);
      }

      if (want('s1')) {
        log('S1 through the API against hand-written');
        const m = { braid: [] as number[], hand: [] as number[], floor: [] as number[] };
        for (let i = 0; i < reps; i++) {
          m.braid.push(await runWaiting(stack.api, fanOut(base)));
          m.hand.push(await runHand(client, 'handFanOut', [base, 100, 5, 200]));
          const t0 = performance.now();
          await (await fetch(`${base}/delay/100`)).arrayBuffer();
          await Promise.all(Array.from({ length: 5 }, async () => (await fetch(`${base}/delay/200`)).arrayBuffer()));
          m.floor.push(performance.now() - t0);
        }
        const b = figure('S1 activities', 'braid', m.braid);
        const h = figure('S1 activities', 'hand-written', m.hand);
        const f = figure('S1 activities', 'in-memory floor', m.floor);
        table.push('| S1 (5 branches, activities), start → result | median ms | p95 ms |', '|---|---|---|');
        table.push(
          `| Braid, \`POST /v1/runs\` with \`Prefer: wait\` | ${round(b.median)} | ${round(b.p95)} |`,
          `| hand-written workflow, Temporal client | ${round(h.median)} | ${round(h.p95)} |`,
          `| in-memory floor (fetch, Promise.all) | ${round(f.median)} | ${round(f.p95)} |`,
          '',
        );
        goals.push({
          scenario: 'S1 activities, npm start, client-observed',
          goal: '≤ 1.05 × hand-written',
          measured: `${round(b.median / h.median, 3)}× (${round(b.median)} / ${round(h.median)} ms)`,
          met: b.median <= 1.05 * h.median,
        });
      }

      if (want('wide')) {
        const width = quick ? 100 : 1000;
        log(`${width}-wide × 50 ms local, and the SSE lag during it`);
        const wide = fanOut(base, width, 0, 50, 'parallel', 'local');
        const m = { braid: [] as number[], hand: [] as number[] };
        for (let i = 0; i < (quick ? 1 : 3); i++) {
          m.braid.push(await runWaiting(stack.api, wide));
          m.hand.push(await runHand(client, 'handFanOutLocal', [base, 0, width, 50]));
        }
        const lags: number[] = [];
        // As the watched scenario measures it: a 1,000-wide run of activities. (A local fan-out holds its
        // workflow task open until its last node ends, and a query waits for the task: its nodes show at the end.)
        const started = await post(stack.api, '/v1/runs', { workflow: fanOut(base, width, 0, 50) });
        await Promise.all(Array.from({ length: 10 }, () => watchSse(stack.api, String(started.body.runId), lags)));
        const b = figure(`${width}-wide × 50 ms local`, 'braid', m.braid);
        const h = figure(`${width}-wide × 50 ms local`, 'hand-written', m.hand);
        const lag = figure(`SSE lag during a ${width}-wide run of activities (10 clients)`, 'braid', lags);
        table.push(`| ${width}-wide × 50 ms, \`execution: "local"\` | median ms | p95 ms |`, '|---|---|---|');
        table.push(
          `| Braid, \`Prefer: wait\` | ${round(b.median)} | ${round(b.p95)} |`,
          `| hand-written (local activities) | ${round(h.median)} | ${round(h.p95)} |`,
          `| SSE lag during a ${width}-wide run of activities, node change → client (10 clients) | ${round(lag.median)} | ${round(lag.p95)} |`,
          '',
        );
        if (!quick)
          goals.push({
            scenario: '1,000-wide × 50 ms local, npm start, Prefer: wait',
            goal: '≤ 2.0 s',
            measured: `${round(b.median)} ms (hand-written ${round(h.median)} ms)`,
            met: b.median <= 2000,
          });
        goals.push({
          scenario: `SSE lag p95 during a ${width}-wide run of activities`,
          goal: '≤ 250 ms',
          measured: `${round(lag.p95)} ms`,
          met: lag.p95 <= 250,
        });
      }

      if (want('start')) {
        const clients = 50;
        const each = quick ? 4 : 10;
        log(`start latency: ${clients} clients × ${each} starts, the API against the Temporal client`);
        const trivial: GraphDefinition = { name: 'trivial', nodes: [{ id: 'start', type: 'trigger' }], edges: [] };
        const viaClient: number[] = [];
        const viaApi: number[] = [];
        const burst = (one: () => Promise<number>, into: number[]) =>
          Promise.all(
            Array.from({ length: clients }, async () => {
              for (let i = 0; i < each; i++) into.push(await one());
            }),
          );
        for (let round_ = 0; round_ < 2; round_++) {
          await burst(async () => {
            const t0 = performance.now();
            await client.workflow.start('handChain', {
              taskQueue: HAND_QUEUE,
              workflowId: `hand-start-${Math.random().toString(36).slice(2)}`,
              args: [base, 0],
            });
            return performance.now() - t0;
          }, viaClient);
          await burst(async () => {
            const r = await post(stack.api, '/v1/runs', { workflow: trivial });
            if (r.status !== 201) throw new Error(`start answered ${r.status}`);
            return r.ms;
          }, viaApi);
          await sleep(2_000); // let the runs end
        }
        const a = figure('start latency, 50 clients', 'braid', viaApi);
        const c = figure('start latency, 50 clients', 'temporal client', viaClient);
        const p99 = { api: quantile(viaApi, 0.99), client: quantile(viaClient, 0.99) };
        table.push(`| Start latency, ${clients} clients × ${each * 2} starts | median ms | p95 ms | p99 ms |`, '|---|---|---|---|');
        table.push(
          `| Braid API, \`POST /v1/runs\` (201) | ${round(a.median)} | ${round(a.p95)} | ${round(p99.api)} |`,
          `| Temporal client, \`workflow.start\` | ${round(c.median)} | ${round(c.p95)} | ${round(p99.client)} |`,
          '',
        );
        goals.push({
          scenario: 'start latency, 50 clients',
          goal: 'p99 ≤ 1.2 × the Temporal client',
          measured: `${round(p99.api / p99.client, 2)}× (${round(p99.api)} / ${round(p99.client)} ms)`,
          met: p99.api <= 1.2 * p99.client,
        });
      }

      if (want('cpu')) {
        const width = quick ? 100 : 1000;
        log(`CPU per node: ${width}-wide http fan-out, by process`);
        const graphWide = fanOut(base, width, 0, 50);
        const per = { worker: [] as number[], server: [] as number[], api: [] as number[], handWorker: [] as number[], handServer: [] as number[] };
        for (let i = 0; i < (quick ? 1 : 3); i++) {
          await quiet([stack.pids.worker, stack.pids.server, stack.pids.api, hand.pid]);
          const t = { w: cpuMs(stack.pids.worker), s: cpuMs(stack.pids.server), a: cpuMs(stack.pids.api) };
          await runWaiting(stack.api, graphWide);
          per.worker.push((cpuMs(stack.pids.worker) - t.w) / width);
          per.server.push((cpuMs(stack.pids.server) - t.s) / width);
          per.api.push((cpuMs(stack.pids.api) - t.a) / width);
          await quiet([stack.pids.worker, stack.pids.server, stack.pids.api, hand.pid]);
          const th = { w: cpuMs(hand.pid), s: cpuMs(stack.pids.server) };
          await runHand(client, 'handWide', [base, width, 50]);
          per.handWorker.push((cpuMs(hand.pid) - th.w) / width);
          per.handServer.push((cpuMs(stack.pids.server) - th.s) / width);
        }
        const observed = 'self-reported (/proc of each process)' as const;
        const w = figure('CPU per http node: worker', 'braid', per.worker, 'ms', observed);
        const s = figure('CPU per http node: Temporal server', 'braid', per.server, 'ms', observed);
        const a = figure('CPU per http node: API', 'braid', per.api, 'ms', observed);
        const hw = figure('CPU per http node: worker', 'hand-written', per.handWorker, 'ms', observed);
        const hs = figure('CPU per http node: Temporal server', 'hand-written', per.handServer, 'ms', observed);
        table.push(`| CPU per http node (${width}-wide, /proc) | worker ms | Temporal server ms | API ms |`, '|---|---|---|---|');
        table.push(
          `| Braid (\`npm start\`) | ${round(w.median, 2)} | ${round(s.median, 2)} | ${round(a.median, 2)} |`,
          `| hand-written workflow | ${round(hw.median, 2)} | ${round(hs.median, 2)} | – |`,
          '',
        );
        goals.push({
          scenario: 'worker CPU per http node (dev server)',
          goal: '≤ 1.5 × hand-written',
          measured: `${round(w.median / hw.median, 2)}× (${round(w.median, 2)} / ${round(hw.median, 2)} ms)`,
          met: w.median <= 1.5 * hw.median,
        });
      }

      if (want('s11')) {
        log('S11: one 503, then a 10-wide fan-out of 400 ms to another path; three times');
        const m = { touched: [] as number[], untouched: [] as number[] };
        let together = 0;
        for (let r = 0; r < 3; r++) {
          const refused: GraphDefinition = {
            name: 's11-503',
            nodes: [
              { id: 'start', type: 'trigger' },
              { id: 'refused', type: 'http', data: { url: `${base}/status/503?s11=${r}`, retry: { maximumAttempts: 1 } } },
            ],
            edges: [{ source: 'start', target: 'refused' }],
            settings: { onError: 'continue' },
          };
          await post(stack.api, '/v1/runs', { workflow: refused }, { prefer: 'wait=60' });
          const slow = (t: HttpTarget, tag: string): GraphDefinition => {
            const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
            return {
              name: 's11-slow',
              nodes: [{ id: 'start', type: 'trigger' }, ...ids.map((id) => ({ id, type: 'http', data: { url: `${t.url}/delay/400?s11=${tag}&${id}` } }))],
              edges: ids.map((id) => ({ source: 'start', target: id })),
              settings: { maxParallel: 10 },
            };
          };
          m.touched.push(await runWaiting(stack.api, slow(target, `t${r}`)));
          const reqs = target.requests.filter((q) => q.path.startsWith(`/delay/400?s11=t${r}&`));
          if (Math.max(...reqs.map((q) => q.startTick)) < Math.min(...reqs.map((q) => q.endTick ?? Infinity))) together++;
          m.untouched.push(await runWaiting(stack.api, slow(untouched, `u${r}`)));
        }
        const t = figure('S11 10-wide × 400 ms after one 503', 'braid', m.touched);
        const u = figure('S11 10-wide × 400 ms on an untouched host', 'braid', m.untouched);
        table.push('| S11: one 503, then 10 × 400 ms to another path (3 rounds) | median ms | max ms |', '|---|---|---|');
        table.push(
          `| after the 503 | ${round(t.median)} | ${round(t.max)} |`,
          `| the same fan-out to an untouched host | ${round(u.median)} | ${round(u.max)} |`,
          `| rounds with all 10 in flight together | ${together} of 3 | |`,
          '',
        );
        goals.push({
          scenario: 'S11 one 503, then a 10-wide fan-out, three times',
          goal: 'all 10 in flight together; ≤ 1.2 × untouched',
          measured: `${together} of 3 rounds together; ${round(t.max / u.median, 2)}× at worst (${round(t.max)} / ${round(u.median)} ms)`,
          met: together === 3 && t.max <= 1.2 * u.median,
        });
      }
    } finally {
      await client.connection.close();
      await hand.stop();
      await stack.stop();
    }

    if (want('s8')) {
      log('S8: S1 at priority 1 behind a priority-5 backlog (npm start with WORKER_MAX_ACTIVITIES=20)');
      stack = await startStack({ WORKER_MAX_ACTIVITIES: '20' });
      hand = await startHandWorker(stack.temporal, HAND_QUEUE);
      client = createApiClient(stack.temporal);
      try {
        const base = target.url;
        for (let i = 0; i < 3; i++) await runWaiting(stack.api, fanOut(base, 5, 1, 1));
        const width = quick ? 100 : 400;
        const backlog: GraphDefinition = { ...fanOut(base, width, 0, 100), name: 's8-backlog', settings: { maxParallel: width } };
        const m: Record<string, number[]> = { idle: [], '0': [], '200': [], '1000': [] };
        for (let i = 0; i < (quick ? 1 : 3); i++) {
          m.idle!.push(await runWaiting(stack.api, fanOut(base), { priority: 1 }));
          for (const delay of [0, 200, 1000]) {
            const bulk = post(stack.api, '/v1/runs', { workflow: backlog, priority: 5 }, { prefer: 'wait=120' });
            await sleep(delay);
            m[String(delay)]!.push(await runWaiting(stack.api, fanOut(base), { priority: 1 }));
            await bulk;
          }
        }
        const idle = figure('S8 S1 at priority 1, idle worker', 'braid', m.idle!);
        table.push(
          `| S8: S1 at priority 1 behind a priority-5 run of ${width} × 100 ms (WORKER_MAX_ACTIVITIES=20) | median ms | × idle |`,
          '|---|---|---|',
          `| idle | ${round(idle.median)} | 1 |`,
        );
        const ratios: string[] = [];
        let met = true;
        for (const delay of ['0', '200', '1000']) {
          const s = figure(`S8 S1 at priority 1, ${delay} ms after the backlog`, 'braid', m[delay]!);
          table.push(`| ${delay} ms after the backlog | ${round(s.median)} | ${round(s.median / idle.median, 2)} |`);
          ratios.push(`${delay} ms: ${round(s.median / idle.median, 2)}×`);
          met &&= s.median <= 1.5 * idle.median;
        }
        table.push('');
        goals.push({ scenario: 'S8 S1 at priority 1, 0 ms, 200 ms and 1 s after the backlog', goal: '≤ 1.5 × idle at each', measured: ratios.join(', '), met });
      } finally {
        await client.connection.close();
        await hand.stop();
        await stack.stop();
      }
    }
  } finally {
    await Promise.all([target.close(), untouched.close()]);
  }

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version };
  const date = new Date().toISOString();
  writeFileSync(join(opts.outDir, 'default-stack.json'), `${JSON.stringify({ name: 'default-stack', date, machine, quick, figures, goals }, null, 2)}\n`);
  const md = [
    `Braid through \`npm start\` and its API (client-observed unless marked), hand-written baselines on the same server in the same run. ${date}. Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}.${quick ? ' Quick mode.' : ''}`,
    '',
    ...table,
    '| Goal | target | measured | met |',
    '|---|---|---|---|',
    ...goals.map((g) => `| ${g.scenario} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`),
  ].join('\n');
  writeFileSync(join(opts.outDir, 'default-stack.md'), `${md}\n`);
  return md;
}
