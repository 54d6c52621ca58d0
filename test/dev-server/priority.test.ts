/**
 * Run priority and fairness against a real dev server and a worker that runs
 * one activity at a time: a priority-1 run started behind a priority-5
 * backlog has its requests served before the backlog's, because matching
 * dispatches backlogged tasks by priority key and a run's activities inherit
 * its key; at one priority, a run of another project (another fairness key)
 * is served between the backlog's tasks, and a run sharing the backlog's key
 * waits its turn behind it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStartOptions } from '../../src/runs/run-store';
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

interface Started {
  priority: number;
  fairnessKey?: string;
  project?: string;
}

async function start(tag: string, n: number, { priority, fairnessKey, project }: Started) {
  const built = fan(tag, n);
  const definition = fairnessKey === undefined ? built : { ...built, settings: { ...built.settings, fairnessKey } };
  return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: uniqueId(tag), ...runStartOptions({ definition, name: tag, priority, project }) });
}

const requestsOf = (tag: string) => target.requests.filter((r) => r.path.includes(tag)).length;

/** Waits until the backlog's first requests were served, so the rest of it sits in the server's queue. */
async function backlogQueued(tag: string) {
  const deadline = Date.now() + 10_000;
  while (requestsOf(tag) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Starts a 30-request backlog, then a 2-request run; returns how many backlog requests were served before the small run ended. */
async function servedBefore(tag: string, small: Started, bulk: Started) {
  const backlog = await start(`${tag}-bulk`, 30, bulk);
  await backlogQueued(`${tag}-bulk`);
  const run = await start(`${tag}-small`, 2, small);
  await run.result();
  const before = requestsOf(`${tag}-bulk`);
  await backlog.result();
  expect(requestsOf(`${tag}-small`)).toBe(2);
  expect(requestsOf(`${tag}-bulk`)).toBe(30);
  return before;
}

describe('run priority and fairness', () => {
  it('serves a priority-1 run ahead of a priority-5 backlog', async () => {
    const tag = uniqueId('p');
    // One fairness key for both, so only the priority differs.
    const before = await servedBefore(tag, { priority: 1, fairnessKey: `${tag}-tenant` }, { priority: 5, fairnessKey: `${tag}-tenant` });
    // FIFO would serve all 30 backlog requests first; by priority the urgent run cuts in.
    expect(before).toBeLessThan(15);
  }, 120_000);

  it("at one priority, serves another project's run between the tasks of a busy project's backlog", async () => {
    const tag = uniqueId('f');
    // Each run's fairness key defaults to its project.
    const before = await servedBefore(tag, { priority: 3, project: `${tag}-small` }, { priority: 3, project: `${tag}-busy` });
    // FIFO would serve all 30 first; fairness alternates between the two keys.
    expect(before).toBeLessThan(15);
  }, 120_000);

  it('at one priority and one fairness key, serves a run behind the backlog started before it', async () => {
    const tag = uniqueId('k');
    const before = await servedBefore(tag, { priority: 3, fairnessKey: `${tag}-tenant` }, { priority: 3, fairnessKey: `${tag}-tenant` });
    expect(before).toBeGreaterThanOrEqual(25);
  }, 120_000);
});
