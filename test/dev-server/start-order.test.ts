/**
 * Critical path first with learned durations, through the real API, a real
 * dev server and worker, and Braid's database: a saved workflow whose long
 * node is listed last runs it in definition order the first time (nothing
 * known: depth ties), and first once a run has taught the API what each node
 * takes. Each run shows where its estimates came from.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { runListSchema, runSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createNodeDurations } from '../../src/store/node-durations';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let database: BraidDatabase;
let app: ReturnType<typeof createApp>;
const taskQueue = uniqueId('order-tq');

beforeAll(async () => {
  [env, target, database] = await Promise.all([createLocalEnv(), startHttpTarget(), openDatabase({ kind: 'sqlite', file: ':memory:' })]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
    repository: createWorkflowRepository(database.db),
    nodeDurations: createNodeDurations(database.db),
  });
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close(), database?.close()]);
});

const json = { 'content-type': 'application/json' };

describe('critical path first, learned', () => {
  it('runs the long node last the first time (depth ties), and first once it has run', async () => {
    //          ┌─▶ s1 … s4 (50 ms each, listed first)
    // start ───┤                                        maxParallel 2, no estimates
    //          └─▶ long (400 ms, listed last)
    const name = uniqueId('learned');
    const shorts = ['s1', 's2', 's3', 's4'];
    const nodes = [
      { id: 'start', type: 'trigger' },
      ...shorts.map((id) => ({ id, type: 'http', data: { url: `${target.url}/delay/50?t=${name}-${id}` } })),
      { id: 'long', type: 'http', data: { url: `${target.url}/delay/400?t=${name}-long` } },
    ];
    const definition = { nodes, edges: [...shorts, 'long'].map((t) => ({ source: 'start', target: t })), settings: { maxParallel: 2 } };
    expect((await app.request(`/v1/workflows/${name}`, { method: 'PUT', headers: json, body: JSON.stringify(definition) })).status).toBe(201);

    const run = async () => {
      const res = await app.request(`/v1/workflows/${name}/runs`, { method: 'POST', headers: { ...json, prefer: 'wait=30' }, body: '{}' });
      expect(res.status).toBe(201);
      const body = runSchema.parse(await res.json());
      expect(body.status).toBe('succeeded');
      return body;
    };
    /** Whether the latest run's long request started before every short one had ended (it ran in the first wave). */
    const longRanFirst = () => {
      const latest = target.requests.filter((r) => r.path.includes(`t=${name}-`)).slice(-5);
      const long = latest.find((r) => r.path.endsWith('-long'))!;
      return latest.filter((r) => r !== long).every((s) => long.startTick < s.endTick!);
    };

    const first = await run();
    expect(first.nodes.long!.estimate).toEqual({ source: 'depth' });
    expect(longRanFirst()).toBe(false);

    // The next start reads the finished run from Temporal's visibility once it lists it.
    await eventually(async () => {
      const list = runListSchema.parse(await (await app.request(`/v1/runs?workflow=${name}&status=succeeded`)).json());
      return list.runs.some((r) => r.runId === first.runId) ? true : undefined;
    });
    const second = await run();
    expect(second.nodes.long!.estimate).toMatchObject({ source: 'history' });
    expect(second.nodes.long!.estimate!.ms).toBeGreaterThanOrEqual(400);
    expect(second.nodes.s1!.estimate).toMatchObject({ source: 'history' });
    expect(longRanFirst()).toBe(true);
  });
});
