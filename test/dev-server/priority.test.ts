/**
 * Run priority against a real dev server and a worker that runs one activity
 * at a time: a priority-1 run started behind a priority-5 backlog has its
 * requests served before the backlog's, because matching dispatches
 * backlogged tasks by priority key and a run's activities inherit its key.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStartOptions } from '../../src/api/run-store';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { createLocalEnv, testActivities, uniqueId } from '../helpers/temporal';
import { createBraidWorker } from '../../src/temporal/worker';
import { inject } from 'vitest';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
const taskQueue = uniqueId('priority-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createBraidWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: testActivities(),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    // One activity at a time (WORKER_MAX_ACTIVITIES=1), so activity tasks back up in the server.
    overrides: { maxConcurrentActivityTaskExecutions: 1 },
  });
  workerDone = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

const fan = (tag: string, n: number) => {
  const b = graph(tag).trigger();
  for (let i = 0; i < n; i++) b.http(`h${i}`, `${target.url}/delay/50?t=${tag}-${i}`).edge('start', `h${i}`);
  return b.build();
};

async function start(tag: string, n: number, priority: number) {
  const definition = fan(tag, n);
  return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: uniqueId(tag), ...runStartOptions({ definition, name: tag, priority }) });
}

describe('run priority', () => {
  it('serves a priority-1 run ahead of a priority-5 backlog', async () => {
    const tag = uniqueId('p');
    const backlog = await start(`${tag}-bulk`, 30, 5);
    // Let the backlog's activities reach the server's queue.
    const deadline = Date.now() + 10_000;
    while (target.requests.filter((r) => r.path.includes(`${tag}-bulk`)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const urgent = await start(`${tag}-urgent`, 2, 1);
    await urgent.result();
    const bulkBefore = target.requests.filter((r) => r.path.includes(`${tag}-bulk`)).length;
    await backlog.result();
    // FIFO would serve all 30 backlog requests first; by priority the urgent run cuts in.
    expect(bulkBefore).toBeLessThan(15);
    expect(target.requests.filter((r) => r.path.includes(`${tag}-urgent`))).toHaveLength(2);
  }, 120_000);
});
