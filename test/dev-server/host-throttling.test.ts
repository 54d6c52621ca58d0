/**
 * Adaptive per-host throttling against a real dev server and a real local
 * target that serves 8 requests at once and answers 429 (`Retry-After: 1`) to
 * the rest: a 60-wide fan-out on a worker whose limiter adapts finishes with
 * every node succeeded and few 429s, its nodes' wait for the limiter counted
 * as queued; the same fan-out on a worker with adaptation off (what Braid did
 * before) meets a 429 on most first attempts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostLimiter } from '../../activities/host-limiter';
import type { RunState } from '../../src/graph/run-state';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
const targets: Record<'adaptive' | 'off', HttpTarget | undefined> = { adaptive: undefined, off: undefined };
const workers: { worker: Worker; done: Promise<void> }[] = [];
const queues = { adaptive: uniqueId('throttle-tq'), off: uniqueId('fixed-tq'), oneAtATime: uniqueId('one-tq'), recovering: uniqueId('recover-tq') };
const limiters = {
  adaptive: createHostLimiter(),
  off: createHostLimiter({ adaptive: false }),
  oneAtATime: createHostLimiter({ caps: new Map([['127.0.0.1', 1]]) }),
  recovering: createHostLimiter(),
};
let twoPaths: HttpTarget | undefined;

beforeAll(async () => {
  [env, targets.adaptive, targets.off, twoPaths] = await Promise.all([createLocalEnv(), startHttpTarget(), startHttpTarget(), startHttpTarget()]);
  for (const mode of ['adaptive', 'off', 'oneAtATime', 'recovering'] as const) {
    const worker = await createTestWorker(env, testActivities({ hostLimiter: limiters[mode] }), queues[mode]);
    workers.push({ worker, done: worker.run() });
  }
});

afterAll(async () => {
  for (const w of workers) w.worker.shutdown();
  await Promise.all(workers.map((w) => w.done));
  await Promise.all([env?.teardown(), targets.adaptive?.close(), targets.off?.close(), twoPaths?.close()]);
});

const WIDTH = 60;

async function fanOut(mode: 'adaptive' | 'off') {
  const target = targets[mode]!;
  //          ┌─▶ n0  ┐
  // start ───┼─▶ …   ├  60 × GET /limited/8/200, maxParallel 60, up to 10 attempts each
  //          └─▶ n59 ┘
  const g = graph(`throttle-${mode}`).trigger().with({ maxParallel: WIDTH });
  for (let i = 0; i < WIDTH; i++)
    g.http(`n${i}`, `${target.url}/limited/8/200?i=${i}`, { retry: { maximumAttempts: 10, initialInterval: '100ms' } }).edge('start', `n${i}`);
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: queues[mode], workflowId: uniqueId(mode), args: [{ definition: g.build() }] });
  const state = (await handle.result()) as RunState;
  const tooMany = target.requests.filter((r) => r.status === 429).length;
  const served = target.requests.filter((r) => r.status === 200).length;
  return { state, tooMany, served, maxServed: target.maxInFlight() };
}

describe('adaptive per-host throttling', () => {
  it('finds a target that takes 8 at once from its answers: every node succeeds, few 429s, the wait counted as queued', async () => {
    const { state, tooMany, served } = await fanOut('adaptive');
    expect(state.status).toBe('succeeded');
    expect(served).toBe(WIDTH);
    expect(tooMany).toBeLessThanOrEqual(WIDTH * 0.3);
    const stats = limiters.adaptive.stats()[0]!;
    expect(stats).toMatchObject({ inFlight: 0, waiting: 0, tooManyRequests: tooMany });
    expect(stats.limit).toBeGreaterThanOrEqual(1);
    expect(stats.limit).toBeLessThanOrEqual(9);
    const nodes = Object.entries(state.nodes)
      .filter(([id]) => id !== 'start')
      .map(([, n]) => n);
    // Most nodes waited for the limiter (60 requests through 8 slots of 200 ms); that wait is queued time.
    expect(nodes.filter((n) => (n.queuedMs ?? 0) >= 100).length).toBeGreaterThan(WIDTH / 2);
    for (const n of nodes) expect(n.runMs).toBeLessThan(1500);
  }, 120_000);

  it('recovers from one 503 on a quick path: a 10-wide fan-out of 400 ms to another path goes out at once, three times', async () => {
    const target = twoPaths!;
    const run = async (definition: unknown) => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: queues.recovering, workflowId: uniqueId('recover'), args: [{ definition }] });
      return (await handle.result().catch(() => undefined)) as RunState | undefined;
    };
    for (let round = 0; round < 3; round++) {
      // One refusal from the quick path, with nothing else in flight.
      await run(
        graph('one-503')
          .trigger()
          .http('refused', `${target.url}/status/503?round=${round}`, { retry: { maximumAttempts: 1 } })
          .edge('start', 'refused')
          .build(),
      );
      const wide = graph('slow-path').trigger().with({ maxParallel: 10 });
      for (let i = 0; i < 10; i++) wide.http(`n${i}`, `${target.url}/delay/400?round=${round}&i=${i}`).edge('start', `n${i}`);
      const state = await run(wide.build());
      expect(state?.status).toBe('succeeded');
      const requests = target.requests.filter((r) => r.path.startsWith(`/delay/400?round=${round}&`));
      expect(requests).toHaveLength(10);
      // All ten were in flight together: the last started before the first ended.
      expect(Math.max(...requests.map((r) => r.startTick))).toBeLessThan(Math.min(...requests.map((r) => r.endTick ?? Infinity)));
    }
    const stats = limiters.recovering.stats()[0]!;
    expect(stats.overloads).toBe(3);
    expect(stats.limit).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('without adaptation, most first attempts meet a 429', async () => {
    const { state, tooMany } = await fanOut('off');
    expect(state.status).toBe('succeeded');
    // 60 requests arriving within a few hundred ms, 8 served per 200 ms: most first attempts are refused.
    expect(tooMany).toBeGreaterThanOrEqual(WIDTH / 2);
  }, 120_000);

  it('never fails a node by waiting: a wait longer than the attempt allows starts the node again, sending nothing twice', async () => {
    //          ┌─▶ n0 ┐
    // start ───┼─▶ …  ├  4 × GET /delay/800 through a cap of 1; each node's attempt may take 3 s, one attempt only
    //          └─▶ n3 ┘  (the last waits 2.4 s: with 1.5 s kept for the request, longer than its attempt allows)
    const target = targets.adaptive!;
    const tag = uniqueId('wait');
    const g = graph('wait-past-deadline').trigger().with({ maxParallel: 4 });
    for (let i = 0; i < 4; i++)
      g.http(`n${i}`, `${target.url}/delay/800?t=${tag}-${i}`, { timeout: '3s', retry: { maximumAttempts: 1 } }).edge('start', `n${i}`);
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: queues.oneAtATime,
      workflowId: uniqueId('wait'),
      args: [{ definition: g.build() }],
    });
    const state = (await handle.result()) as RunState;
    expect(state.status).toBe('succeeded');
    const sent = target.requests.filter((r) => r.path.includes(tag));
    expect(sent).toHaveLength(4);
    expect(Math.max(...sent.map((r) => r.inFlightAtStart))).toBe(1);
    const nodes = ['n0', 'n1', 'n2', 'n3'].map((id) => state.nodes[id]!);
    expect(nodes.map((n) => n.attempts)).toEqual([1, 1, 1, 1]);
    // The last node's wait (two tries of ~0.5 s and the rest) is queued time.
    expect(Math.max(...nodes.map((n) => n.queuedMs ?? 0))).toBeGreaterThanOrEqual(1500);
  }, 120_000);

  it("serves a run's critical path first when its requests wait for the same host", async () => {
    //          ┌─▶ a1 … a4              four 150 ms leaves, listed first
    // start ───┤
    //          └─▶ b ─▶ c ─▶ d          a chain of three 150 ms nodes: the critical path
    // All seven go through a cap of 1 at the host; maxParallel (10) never binds.
    const target = targets.adaptive!;
    const tag = uniqueId('order');
    const url = (id: string) => `${target.url}/delay/150?t=${tag}-${id}`;
    const g = graph('host-critical-path').trigger().with({ maxParallel: 10 });
    for (const id of ['a1', 'a2', 'a3', 'a4']) g.http(id, url(id)).edge('start', id);
    g.http('b', url('b')).edge('start', 'b').http('c', url('c')).edge('b', 'c').http('d', url('d')).edge('c', 'd');
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: queues.oneAtATime,
      workflowId: uniqueId('order'),
      args: [{ definition: g.build() }],
    });
    const state = (await handle.result()) as RunState;
    expect(state.status).toBe('succeeded');
    const served = target.requests
      .filter((r) => r.path.includes(tag))
      .sort((x, y) => x.startTick - y.startTick)
      .map((r) => r.path.slice(r.path.lastIndexOf('-') + 1));
    expect([...served].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b', 'c', 'd']);
    // In arrival order the chain would come last: a1 a2 a3 a4 b c d. Ordered by remaining path, each
    // link of the chain that is waiting goes before the leaves (b: 3 left, c: 2, the leaves 1); a leaf
    // is served while the next link is still on its way (a1 b a2 c a3 …).
    expect(served.indexOf('b')).toBeLessThanOrEqual(1);
    expect(served.indexOf('c')).toBeLessThanOrEqual(3);
    // The run shows the weights it ordered by (depth: no estimates given).
    expect(state.nodes.b!.estimate).toEqual({ source: 'depth' });
  }, 120_000);

  it("does not count a request's wait for its host against its own timeout", async () => {
    // Two 600 ms requests through a cap of 1, each with a 900 ms request timeout: the second waits ~600 ms first.
    const target = targets.adaptive!;
    const tag = uniqueId('timeout');
    const g = graph('wait-not-timeout').trigger().with({ maxParallel: 2 });
    for (const id of ['x', 'y'])
      g.http(id, `${target.url}/delay/600?t=${tag}-${id}`, { retry: { maximumAttempts: 1 } }, { timeout: '900ms' }).edge('start', id);
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: queues.oneAtATime,
      workflowId: uniqueId('timeout'),
      args: [{ definition: g.build() }],
    });
    const state = (await handle.result()) as RunState;
    expect(state.status).toBe('succeeded');
    expect(Math.max(state.nodes.x!.queuedMs ?? 0, state.nodes.y!.queuedMs ?? 0)).toBeGreaterThanOrEqual(400);
  }, 120_000);
});
