/**
 * S8, "busy queue": a worker capped at 20 activities (WORKER_MAX_ACTIVITIES=20),
 * a priority-5 run of 400 × 100 ms nodes started first, then the S1 graph.
 * S1's wall time (start → result, client-observed) on the idle worker, behind
 * the backlog at the same priority (FIFO), and behind it at priority 1.
 */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { runStartOptions } from '../../src/api/run-store';
import type { GraphDefinition } from '../../src/graph/schema';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import { createBraidWorker } from '../../src/temporal/worker';
import type { BenchContext } from '../context';
import { fanOut } from '../graphs';
import { round, stats } from '../stats';

const QUEUE = 'braid-bench-capped';

export async function busyQueueScenario(ctx: BenchContext): Promise<void> {
  const { base, client, server, workflowBundle, quick, log, results, table, goals } = ctx;
  log('S8: busy queue (priority)');
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createBraidWorker({
    connection,
    namespace: 'default',
    taskQueue: QUEUE,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
    workflowBundle,
    overrides: { maxConcurrentActivityTaskExecutions: 20 },
  });
  const done = worker.run();
  try {
    const run = async (definition: GraphDefinition, priority?: number) => {
      const t0 = performance.now();
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: QUEUE,
        workflowId: `s8-${Math.random().toString(36).slice(2)}`,
        ...runStartOptions({ definition, name: definition.name ?? 's8', ...(priority ? { priority } : {}) }),
      });
      return { handle, done: handle.result().then(() => performance.now() - t0) };
    };
    const s1 = fanOut(base);
    const width = quick ? 100 : 400;
    const backlog = { ...fanOut(base, width, 0, 100), name: 's8-backlog', settings: { maxParallel: width } };
    const reps = quick ? 1 : 3;
    const m = { idle: [] as number[], fifo: [] as number[], priority: [] as number[] };
    for (let i = 0; i < reps; i++) {
      m.idle.push(await (await run(s1)).done);
      for (const [key, priority] of [['fifo', 5], ['priority', 1]] as const) {
        const bulk = await run(backlog, 5);
        // The backlog's activities reach the queue before S1 starts.
        await new Promise((r) => setTimeout(r, 200));
        m[key].push(await (await run(s1, priority)).done);
        await bulk.done;
      }
    }
    const s = { idle: stats(m.idle).median, fifo: stats(m.fifo).median, priority: stats(m.priority).median };
    results.S8 = { workerMaxActivities: 20, backlogNodes: width, ...s };
    table.push(`| S8 busy queue (worker capped at 20 activities; S1 after a priority-5 run of ${width} × 100 ms) | S1 ms | × idle |`, '|---|---|---|');
    table.push(`| S1 on the idle worker | ${round(s.idle)} | 1 |`);
    table.push(`| behind the backlog, same priority (5) | ${round(s.fifo)} | ${round(s.fifo / s.idle, 2)} |`);
    table.push(`| behind the backlog, priority 1 | ${round(s.priority)} | ${round(s.priority / s.idle, 2)} |`, '');
    goals.push({ scenario: 'S8 S1 at priority 1 behind a priority-5 backlog', goal: '≤ 1.5 × S1 on an idle worker', measured: `${round(s.priority / s.idle, 2)}× (${round(s.priority)} vs ${round(s.idle)} ms; same priority ${round(s.fifo / s.idle, 2)}×)`, met: s.priority <= 1.5 * s.idle });
  } finally {
    worker.shutdown();
    await done.catch(() => undefined);
    await connection.close();
  }
}
