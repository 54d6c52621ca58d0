/**
 * The admission workflow over its own lifetime, on a dev server: runs of one
 * key that admit themselves (as a schedule's do) pass through it one at a
 * time, and it continues as new along the way without losing a holder, a
 * waiting run or a grant; idle, it ends.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMISSION_WORKFLOW_TYPE } from '../../src/graph/admission';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import { admissionEntityId } from '../../src/runs/admission';
import { runStartOptions } from '../../src/runs/run-store';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { admissionOn, createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
const taskQueue = uniqueId('entity-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities({ admission: admissionOn(env, taskQueue) }), taskQueue);
  workerDone = worker.run();
}, 60_000);

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

/**
 * Starts `count` runs of one key (limit 1) that admit themselves, as a schedule's do, one after the
 * other; waits for them all; answers their requests at the target.
 */
async function runOneAtATime(name: string, tag: string, count: number) {
  const definition = {
    name,
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'call', type: 'http', data: { url: `${target.url}/delay/50?t=${tag}` } },
    ],
    edges: [{ source: 'start', target: 'call' }],
    settings: { concurrency: { key: 'k', limit: 1 } },
  };
  const runs = [];
  for (let i = 0; i < count; i++) {
    runs.push(
      await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: uniqueId(`${name}-${i}`),
        ...runStartOptions({ definition, name, input: null }),
      }),
    );
  }
  for (const run of runs) await run.result();
  return target.requests.filter((r) => r.path.endsWith(`t=${tag}`));
}

describe('the admission workflow', () => {
  it('continues as new while runs hold and wait, and lets every one through, one at a time', async () => {
    const name = uniqueId('can');
    const tag = uniqueId('t');
    const policy = { kind: 'concurrency' as const, key: 'k', limit: 1, onLimit: 'queue' as const };
    const entity = admissionEntityId('default', name, 'concurrency', 'k');
    // Started first with a small event budget, so it continues as new a few times during the test.
    const first = await env.client.workflow.start(ADMISSION_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: entity,
      args: [{ project: 'default', workflow: name, key: 'k', policy, maxEvents: 60 }],
    });
    const requests = await runOneAtATime(name, tag, 12);
    expect(requests).toHaveLength(12);
    // One at a time: each request started after the one before it ended.
    const byStart = [...requests].sort((a, b) => a.startTick - b.startTick);
    for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.startTick).toBeGreaterThan(byStart[i - 1]!.endTick!);
    const history = await env.client.workflow.getHandle(entity, first.firstExecutionRunId).fetchHistory();
    expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect((await env.client.workflow.getHandle(entity).describe()).runId).not.toBe(first.firstExecutionRunId);
  }, 120_000);

  it('hands its slot from run to run without starting and canceling a timer each time', async () => {
    const name = uniqueId('handoff');
    const tag = uniqueId('t');
    expect(await runOneAtATime(name, tag, 6)).toHaveLength(6);
    const events = (await env.client.workflow.getHandle(admissionEntityId('default', name, 'concurrency', 'k')).fetchHistory()).events ?? [];
    // Five handoffs. One timer for the held slots' check while runs wait, canceled once nobody waits, and the idle one
    // (before braid-entity-timer-v1: a start and a cancel per handoff).
    expect(events.filter((e) => e.timerCanceledEventAttributes).length).toBeLessThanOrEqual(1);
    expect(events.filter((e) => e.timerStartedEventAttributes).length).toBeLessThanOrEqual(2);
    expect(events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
