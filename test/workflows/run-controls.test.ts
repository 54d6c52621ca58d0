/**
 * Pausing, resuming and a run's deadline, on Temporal's time-skipping
 * server: a paused run starts nothing while what ran finishes and is
 * recorded, takes up where it stopped on resume, and reports the time it
 * spent paused apart from its overhead; a run past `settings.timeout`
 * cancels what runs and fails with RunTimedOut, naming it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { DEFAULT_PROJECT, idInProject } from '../../src/graph/project-ids';
import { PAUSE_REFUSALS } from '../../src/graph/run-state';
import { graphWorkflow, stateQuery } from '../../workflows';
import { pauseUpdate, resumeUpdate } from '../../workflows/run-control';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { outcomeOf, runGraph } from '../helpers/run-graph';
import { eventually } from '../helpers/sse';
import { createTestWorker, createTimeSkippingEnv, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;

beforeAll(async () => {
  [env, target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
});

describe('pause and resume', () => {
  it('starts nothing while paused, records what ends meanwhile, and goes on when resumed', async () => {
    const tag = uniqueId('pause');
    // start ─▶ first (400 ms) ─▶ second
    const def = graph('paused')
      .trigger()
      .http('first', `${target.url}/delay/400?t=${tag}-1`)
      .http('second', `${target.url}/echo?t=${tag}-2`)
      .chain('start', 'first', 'second')
      .build();
    let whilePaused: { first: string; second: string; status: string } | undefined;
    const { state } = await runGraph(env, def, {
      during: async (handle) => {
        await eventually(async () => ((await handle.query(stateQuery)).nodes.first?.status === 'running' ? true : undefined));
        const paused = await handle.executeUpdate(pauseUpdate);
        expect(paused.status).toBe('paused');
        // Pausing again is fine; resuming twice is not.
        expect((await handle.executeUpdate(pauseUpdate)).status).toBe('paused');
        // `first` ends and is recorded; `second` does not start.
        const s = await eventually(async () => {
          const q = await handle.query(stateQuery);
          return q.nodes.first?.status === 'succeeded' ? q : undefined;
        });
        await new Promise((r) => setTimeout(r, 500));
        const later = await handle.query(stateQuery);
        whilePaused = { first: s.nodes.first!.status, second: later.nodes.second!.status, status: later.status };
        expect(target.requests.filter((r) => r.path.includes(`${tag}-2`))).toHaveLength(0);
        expect((await handle.executeUpdate(resumeUpdate)).status).toBe('running');
        await expect(handle.executeUpdate(resumeUpdate)).rejects.toMatchObject({ cause: { type: PAUSE_REFUSALS.notPaused } });
      },
    });
    expect(whilePaused).toEqual({ first: 'succeeded', second: 'pending', status: 'paused' });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.second!.status).toBe('succeeded');
    // The paused time is reported, and not counted as overhead.
    expect(state.metrics.pausedMs).toBeGreaterThanOrEqual(400);
    expect(state.metrics.overheadMs).toBeLessThan(state.metrics.wallMs - state.metrics.pausedMs! + 1);
  }, 60_000);

  it('refuses to pause or resume a run that ended', async () => {
    const def = graph('ended').trigger().set('done', 1).edge('start', 'done').build();
    const { workflowId } = await runGraph(env, def);
    const handle = env.client.workflow.getHandle(workflowId);
    await expect(handle.executeUpdate(pauseUpdate)).rejects.toThrow();
  });
});

describe('a run deadline', () => {
  it('cancels what runs when settings.timeout passes and fails the run with RunTimedOut, naming it', async () => {
    // start ─▶ nap (1 h) ─▶ after; the deadline is 5 s.
    const def = graph('deadline')
      .trigger()
      .node('nap', 'delay', { duration: '1h' })
      .set('after', 1)
      .chain('start', 'nap', 'after')
      .with({ timeout: '5s' })
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ type: FAILURE_TYPES.runTimedOut, message: expect.stringContaining('canceled while running: nap') });
    expect(state.nodes.nap!.status).toBe('canceled');
    expect(state.nodes.after!.status).not.toBe('succeeded');
  }, 60_000);

  it("counts from the run's start: a run whose first task comes after its deadline fails at once, having started nothing", async () => {
    const tag = uniqueId('late-task');
    const def = graph('late-first-task').trigger().http('call', `${target.url}/echo?t=${tag}`).edge('start', 'call').with({ timeout: '2s' }).build();
    const taskQueue = uniqueId('tq');
    // Accepted while no worker polls its queue: its first task waits 5 s (a worker down, a backlog).
    const handle = await env.client.workflow.start(graphWorkflow, {
      taskQueue,
      workflowId: idInProject(DEFAULT_PROJECT, uniqueId('run')),
      args: [{ definition: def, input: null }],
    });
    await env.sleep('5s');
    const worker = await createTestWorker(env, testActivities(), taskQueue);
    const { state, failure } = await worker.runUntil(outcomeOf(handle));
    expect(failure).toBeDefined();
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ type: FAILURE_TYPES.runTimedOut });
    expect(state.nodes.call!.status).not.toBe('succeeded');
    expect(target.requests.filter((r) => r.path.includes(tag))).toHaveLength(0);
  }, 60_000);

  it('changes nothing for a run that ends before its deadline', async () => {
    const def = graph('in-time').trigger().set('done', 1).edge('start', 'done').with({ timeout: '1h' }).build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
  });
});
