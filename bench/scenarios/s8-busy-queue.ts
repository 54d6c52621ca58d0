/**
 * S8, "busy queue": a worker capped at 20 activities (WORKER_MAX_ACTIVITIES=20),
 * a priority-5 run of 400 × 100 ms nodes started first, then the S1 graph.
 * S1's wall time (start → result, client-observed) on the idle worker and
 * behind the backlog: first in, first out (one fairness key, as before),
 * with its own fairness key, and at priority 1; started once the backlog's
 * tasks wait in the queue (1 s after it) and while the worker still runs the
 * backlog's first workflow tasks (200 ms after).
 */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { runStartOptions } from '../../src/runs/run-store';
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
    // The same workflow's fairness key as the backlog: one queue, first in, first out (Braid before this issue).
    const s1SameKey: GraphDefinition = { ...s1, settings: { ...s1.settings, fairnessKey: 's8-backlog' } };
    const width = quick ? 100 : 400;
    const backlog = { ...fanOut(base, width, 0, 100), name: 's8-backlog', settings: { maxParallel: width, fairnessKey: 's8-backlog' } };
    const reps = quick ? 1 : 3;
    // S1 starts 1 s after the backlog (its first workflow tasks done, its tasks waiting in the queue:
    // the backlog proper) and 200 ms after (while the worker still runs the backlog's first workflow tasks).
    const cases = [
      ['fifo', 1000, s1SameKey, 5],
      ['fair', 1000, s1, 5],
      ['priorityOnly', 1000, s1SameKey, 1],
      ['priority', 1000, s1, 1],
      ['startFair', 200, s1, 5],
      ['startPriority', 200, s1, 1],
    ] as const;
    const m: Record<'idle' | (typeof cases)[number][0], number[]> = {
      idle: [],
      fifo: [],
      fair: [],
      priorityOnly: [],
      priority: [],
      startFair: [],
      startPriority: [],
    };
    for (let i = 0; i < reps; i++) {
      m.idle.push(await (await run(s1)).done);
      for (const [key, delayMs, graph, priority] of cases) {
        const bulk = await run(backlog, 5);
        await new Promise((r) => setTimeout(r, delayMs));
        m[key].push(await (await run(graph, priority)).done);
        await bulk.done;
      }
    }
    const s = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, stats(v).median])) as Record<keyof typeof m, number>;
    const row = (label: string, ms: number) => `| ${label} | ${round(ms)} | ${round(ms / s.idle, 2)} |`;
    results.S8 = { workerMaxActivities: 20, backlogNodes: width, ...s };
    table.push(`| S8 busy queue (worker capped at 20 activities; S1 after a priority-5 run of ${width} × 100 ms) | S1 ms | × idle |`, '|---|---|---|');
    table.push(
      row('S1 on the idle worker', s.idle),
      row('1 s after the backlog, same priority and fairness key (first in, first out)', s.fifo),
      row('1 s after, same priority, its own fairness key (the default)', s.fair),
      row('1 s after, priority 1, same fairness key', s.priorityOnly),
      row('1 s after, priority 1, its own fairness key', s.priority),
      row("200 ms after (the backlog's first workflow tasks), its own fairness key", s.startFair),
      row('200 ms after, priority 1', s.startPriority),
      '',
    );
    goals.push({
      scenario: 'S8 S1 at priority 1 behind a priority-5 backlog',
      goal: '≤ 1.5 × S1 on an idle worker',
      measured: `${round(s.priority / s.idle, 2)}× (${round(s.priority)} vs ${round(s.idle)} ms; first in, first out ${round(s.fifo / s.idle, 2)}×; 200 ms after the backlog ${round(s.startPriority / s.idle, 2)}×)`,
      met: s.priority <= 1.5 * s.idle,
    });
  } finally {
    worker.shutdown();
    await done.catch(() => undefined);
    await connection.close();
  }
}
