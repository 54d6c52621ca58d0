/**
 * Wide graphs on a Temporal dev server started with NO dynamic config of
 * Braid's: the server's default limits (100 buffered events per workflow
 * task, 2,000 pending activities, …) as on a user's own cluster or Temporal
 * Cloud. Every run must complete with zero WorkflowTaskFailed events in its
 * own history and in every batch child's, and the worker must stay up.
 *
 *   trigger ──┬── n1      1,000 siblings (maxParallel 1,000)
 *             ├── …
 *             └── n1000
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/graph/run-state';
import { BATCH_WORKFLOW_TYPE } from '../../src/graph/run-state';
import { graphWorkflow } from '../../workflows';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { quietRuntime, testActivities, uniqueId } from '../helpers/temporal';
import { createHostLimiter } from '../../activities/host-limiter';
import { TestWorkflowEnvironment as Env } from '@temporalio/testing';
import { NAME_SEARCH_ATTRIBUTE } from '../../src/graph/run-state';
import { sdkExecutable } from '../../src/temporal/binaries';
import { createBraidWorker } from '../../src/temporal/worker';
import { inject } from 'vitest';
import { countWorkflowTaskFailures, readHistory } from '../helpers/history';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueId('wide');

beforeAll(async () => {
  quietRuntime();
  [env, target] = await Promise.all([
    // No --dynamic-config-value at all: the server's defaults.
    Env.createLocal({
      server: { executable: sdkExecutable('cli'), searchAttributes: [{ name: NAME_SEARCH_ATTRIBUTE, type: 'KEYWORD' } as never] },
    }),
    startHttpTarget(),
  ]);
  worker = await createBraidWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    // These tests are about batches and history, not per-host throttling: the local target takes
    // every request at once, so no adaptive limit (which starts at 20 per origin) holds 300
    // twenty-second requests back from the node that fails the run.
    activities: testActivities({ hostLimiter: createHostLimiter({ adaptive: false }) }),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await Promise.all([env?.teardown(), target?.close()]);
});

async function run(definition: unknown, during?: (workflowId: string) => Promise<void>) {
  const workflowId = uniqueId('wide-run');
  const handle = await env.client.workflow.start(graphWorkflow, { taskQueue, workflowId, args: [{ definition }] });
  if (during) await during(workflowId);
  let state: RunState;
  try {
    state = await handle.result();
  } catch {
    state = await handle.query<RunState>('state');
  }
  expect(worker.getState()).toBe('RUNNING');
  const failures = await countWorkflowTaskFailures(env.client, workflowId);
  return { state, failures, workflowId };
}

function fanOut(width: number, path = '/delay/50') {
  const g = graph(`fan-out-${width}`).trigger().with({ maxParallel: 1000 });
  for (let i = 0; i < width; i++) g.http(`n${i}`, `${target.url}${path}?i=${i}`).edge('start', `n${i}`);
  return g;
}

describe('wide graphs on a server with default limits', () => {
  it('runs a 1,000-wide fan-out of http nodes with no force-closed workflow task', async () => {
    const before = target.count('/delay/50');
    const { state, failures } = await run(fanOut(1000).build());
    expect(state.status).toBe('succeeded');
    expect(Object.values(state.nodes).filter((n) => n.status === 'succeeded')).toHaveLength(1001);
    // Every request the target saw is an attempt the run recorded. Exactly 1,000 on an idle machine; a
    // worker starved past the 10 s heartbeat timeout (CI, 2026-12-07: 250 of them) has attempts retried,
    // at least once as any Temporal activity, and each retry shows in its node with a timeout as its cause.
    const http = Object.values(state.nodes).filter((n) => n.type === 'http');
    expect(http).toHaveLength(1000);
    expect(target.count('/delay/50') - before).toBe(http.reduce((sum, n) => sum + n.attempts, 0));
    expect(http.flatMap((n) => n.retries ?? []).filter((cause) => cause !== 'TimeoutFailure')).toEqual([]);
    expect(failures.total).toBe(0);
    expect(failures.children).toBeGreaterThan(0); // the wide ready set went to batch children
    expect(state.metrics.workMs).toBeGreaterThanOrEqual(50);
    expect(state.metrics.efficiency).toBeLessThanOrEqual(1);
    expect(state.metrics.overheadMs).toBe(state.metrics.wallMs - state.metrics.workMs);
  });

  it('runs the 2,000-node graph that crashed the worker (1,000 chains of 2) and stays up', async () => {
    const g = graph('chains').trigger().with({ maxParallel: 1000 });
    for (let i = 0; i < 1000; i++) {
      g.http(`a${i}`, `${target.url}/delay/20?a=${i}`).http(`b${i}`, `${target.url}/delay/20?b=${i}`).chain('start', `a${i}`, `b${i}`);
    }
    const { state, failures } = await run(g.build());
    expect(state.status).toBe('succeeded');
    expect(Object.values(state.nodes).every((n) => n.status === 'succeeded')).toBe(true);
    expect(failures.total).toBe(0);
  });

  it('runs 1,000 parallel delays on one shared timer', async () => {
    const g = graph('delays').trigger().with({ maxParallel: 1000 });
    for (let i = 0; i < 1000; i++) g.node(`d${i}`, 'delay', { duration: `${100 + (i % 7) * 10}ms` }).edge('start', `d${i}`);
    const { state, failures, workflowId } = await run(g.build());
    expect(state.status).toBe('succeeded');
    expect(failures.total).toBe(0);
    const timers = (await readHistory(env.client, workflowId)).filter((e) => e.timerStartedEventAttributes).length;
    expect(timers).toBeLessThanOrEqual(7); // one per distinct deadline at most, never one per node
    expect(state.metrics.workMs).toBe(160);
  });

  it('fails fast inside a wide run: the failure cancels every batch, and the run fails naming the node', async () => {
    const g = fanOut(300, '/delay/20000');
    g.http('bad', `${target.url}/status/404`).edge('start', 'bad');
    const { state, failures } = await run(g.build());
    expect(state.status).toBe('failed');
    expect(state.error?.failedNodes).toEqual(['bad']);
    expect(state.nodes.bad!.status).toBe('failed');
    const canceled = Object.values(state.nodes).filter((n) => n.status === 'canceled').length;
    expect(canceled).toBe(300);
    expect(failures.total).toBe(0);
  });

  it('cancels a wide run: batch children stop and report their nodes canceled', async () => {
    const { state, failures, workflowId } = await run(fanOut(400, '/delay/20000').build(), async (id) => {
      const handle = env.client.workflow.getHandle(id);
      for (let i = 0; i < 100; i++) {
        const s = await handle.query<RunState>('state');
        if (Object.values(s.nodes).filter((n) => n.status === 'running').length === 400) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      await handle.cancel();
    });
    expect(state.status).toBe('canceled');
    expect(Object.values(state.nodes).filter((n) => n.status === 'canceled')).toHaveLength(400);
    expect(failures.total).toBe(0);
    const children = env.client.workflow.list({ query: `WorkflowType = '${BATCH_WORKFLOW_TYPE}' AND ParentWorkflowId = '${workflowId}'` });
    const first = await children[Symbol.asyncIterator]().next();
    expect(first.done).toBe(false);
  });

  it('runs 1,000 local nodes whose results together exceed what one workflow task may record', async () => {
    // 1,000 × 8 KB responses: 8 MB of markers, over gRPC's 4 MB per workflow task completion.
    const g = graph('local-wide').trigger().with({ maxParallel: 1000, execution: 'local' });
    for (let i = 0; i < 1000; i++) g.http(`l${i}`, `${target.url}/big/8000?l=${i}`).edge('start', `l${i}`);
    const { state, failures, workflowId } = await run(g.build());
    expect(state.status).toBe('succeeded');
    expect(Object.values(state.nodes).filter((n) => n.status === 'succeeded' && n.execution === 'local')).toHaveLength(1000);
    expect(failures.total).toBe(0);
    const events = await readHistory(env.client, workflowId);
    expect(events.filter((e) => e.timerStartedEventAttributes).length).toBeGreaterThan(0); // it ended tasks to stay under the limit
  });
});
