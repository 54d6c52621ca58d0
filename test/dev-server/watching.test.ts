/**
 * Watching costs nothing: 10 SSE clients and 10 pollers on one run make the
 * API keep at most one read of that run in flight, polled as deltas; every
 * SSE client sees each node change once, in order, ending with the run.
 *
 *   start ─┬─ a (300 ms) ─┐
 *          ├─ b (600 ms) ─┼─ join
 *          └─ c (900 ms) ─┘
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { RunSnapshot } from '../../src/runs/run-store';
import { createRunStore } from '../../src/runs/run-store';
import { runCreatedSchema, runSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { readSse } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
const taskQueue = uniqueId('watch-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

it('shares one read per run among 10 SSE clients and 10 pollers, and streams only changes', async () => {
  const config = { namespace: 'default', taskQueue, temporalUiUrl: 'http://ui', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 };
  const real = createRunStore({ client: env.client, namespace: 'default', taskQueue, temporalUiUrl: 'http://ui' });
  let inFlight = 0;
  let maxInFlight = 0;
  let reads = 0;
  let deltaReads = 0;
  const store = {
    ...real,
    async refresh(runId: string, prev?: RunSnapshot) {
      reads++;
      if (prev && prev.version > 0) deltaReads++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await real.refresh(runId, prev);
      } finally {
        inFlight--;
      }
    },
  };
  const app = createApp({ client: env.client, config, logger: silentLogger, runStore: store, watchIntervalMs: 20 });
  const workflow = graph('watched')
    .trigger()
    .http('a', `${target.url}/delay/300`)
    .http('b', `${target.url}/delay/600`)
    .http('c', `${target.url}/delay/900`)
    .node('join', 'merge')
    .edge('start', 'a')
    .edge('start', 'b')
    .edge('start', 'c')
    .edge('a', 'join')
    .edge('b', 'join')
    .edge('c', 'join')
    .build();
  const created = await app.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
  const { runId } = runCreatedSchema.parse(await created.json());

  const streams = Array.from({ length: 10 }, async () => readSse(await app.request(`/v1/runs/${runId}/events`), (e) => e.event === 'run'));
  let finished = false;
  const pollers = Array.from({ length: 10 }, async () => {
    let answers = 0;
    while (!finished) {
      const res = await app.request(`/v1/runs/${runId}`);
      expect(res.status).toBe(200);
      if (runSchema.parse(await res.json()).status !== 'running') finished = true;
      answers++;
      await new Promise((r) => setTimeout(r, 20));
    }
    return answers;
  });
  const all = await Promise.all(streams);
  const answers = await Promise.all(pollers);

  expect(maxInFlight).toBe(1);
  expect(deltaReads).toBeGreaterThan(0);
  // 20 watchers at 20 ms for ~1 s would be ~1,000 reads unshared.
  expect(reads).toBeLessThan(answers.reduce((a, b) => a + b, 0));
  for (const events of all) {
    const run = events.at(-1)!;
    expect(run.event).toBe('run');
    expect((run.data as { status: string }).status).toBe('succeeded');
    // Each node's state is sent once per distinct state: never the same state twice.
    const seen = new Set<string>();
    for (const e of events.filter((x) => x.event === 'node')) {
      const key = JSON.stringify(e.data);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    const joinStates = events
      .filter((e) => e.event === 'node' && (e.data as { nodeId: string }).nodeId === 'join')
      .map((e) => (e.data as { status: string }).status);
    expect(joinStates.at(-1)).toBe('succeeded');
  }
});
