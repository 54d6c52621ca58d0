/**
 * Flow control on a real dev server and worker: concurrency per key (queue,
 * skip, cancelOldest), rate limits, queued runs paused, canceled and past
 * their deadline, a run nobody admitted (as a schedule starts one) queuing
 * itself, and debounced and batched webhook deliveries. What the target sees
 * is the proof: requests of one key never overlap beyond the limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { workerBulkTarget } from '../../src/runs/bulk';
import { runStartOptions } from '../../src/runs/run-store';
import { openDatabase } from '../../src/store/database';
import type { BraidDatabase } from '../../src/store/database';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import { QUEUED_SEARCH_ATTRIBUTE, WORKFLOW_TYPE } from '../../src/graph/run-state';
import { readHistory } from '../helpers/history';
import { BUFFER_WORKFLOW_TYPE } from '../../src/graph/trigger-buffer';
import { bufferWorkflowId } from '../../src/runs/trigger-buffers';
import type { GraphDefinition } from '../../src/graph/schema';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { mostAtOnce, startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { admissionOn, createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let app: ReturnType<typeof createApp>;
let database: BraidDatabase;
let dir: string;
const taskQueue = uniqueId('flow-tq');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-flow-'));
  [env, target, database] = await Promise.all([createLocalEnv(), startHttpTarget(), openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') })]);
  const runTarget = workerBulkTarget({
    client: env.client,
    namespace: 'default',
    taskQueue,
    temporalUiUrl: 'http://localhost:8233',
    nodeTypes: new Map(),
    claimCheck: false,
    database: database.db,
  });
  const admission = { ...admissionOn(env, taskQueue), startBuffered: runTarget.startBuffered };
  worker = await createTestWorker(env, testActivities({ admission }), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
    repository: createWorkflowRepository(database.db),
    watchIntervalMs: 50,
  });
}, 60_000);

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close(), database?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown> & { status?: string; runId?: string };
async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await app.request(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const view = async (runId: string) => (await send('GET', `/v1/runs/${encodeURIComponent(runId)}`)).body;
const ended = (runId: string) =>
  eventually(async () => ((await view(runId)).status !== 'running' && (await view(runId)).status !== 'queued' ? view(runId) : undefined), 40_000);

/** A workflow whose one request to the target names the run's key and tag, and lasts `ms`. */
function keyed(name: string, tag: string, ms: number, settings: GraphDefinition['settings']): GraphDefinition {
  return graph(name)
    .trigger()
    .http('call', `{% '${target.url}/delay/${ms}?tag=${tag}&key=' & $input.customer %}`)
    .chain('start', 'call')
    .with(settings)
    .build();
}
const requestsOf = (tag: string, key?: string) =>
  target.requests.filter((r) => r.path.includes(`tag=${tag}&`) && (key === undefined || r.path.endsWith(`key=${key}`)));

describe('concurrency per key', () => {
  it('queues runs past the limit, first in first out, each key on its own', async () => {
    const tag = uniqueId('q');
    // Long enough that the queue still holds both when its places are read, on a slow machine too.
    const workflow = keyed('queued', tag, 2500, { concurrency: { key: '{% $input.customer %}', limit: 1 } });
    const a: Json[] = [];
    for (let i = 0; i < 3; i++) a.push((await send('POST', '/v1/runs', { workflow, input: { customer: 'acme' } })).body);
    const b = (await send('POST', '/v1/runs', { workflow, input: { customer: 'globex' } })).body;
    expect(a.map((r) => r.status)).toEqual(['running', 'queued', 'queued']);
    expect(a.map((r) => r.queue)).toEqual([undefined, { key: 'acme', position: 1 }, { key: 'acme', position: 2 }]);
    expect(b.status).toBe('running');
    const third = await view(a[2]!.runId!);
    expect(third).toMatchObject({ status: 'queued', queue: { key: 'acme', position: 2 } });
    await eventually(async () => {
      const list = (await send('GET', '/v1/runs?status=queued&limit=100')).body.runs as { runId: string; status: string }[];
      return list.some((r) => r.runId === a[2]!.runId && r.status === 'queued') ? true : undefined;
    });
    for (const r of [...a, b]) expect((await ended(r.runId!)).status).toBe('succeeded');
    expect(requestsOf(tag, 'acme')).toHaveLength(3);
    expect(mostAtOnce(requestsOf(tag, 'acme'))).toBe(1);
    // Another key is not held by acme's queue.
    expect(mostAtOnce(requestsOf(tag))).toBe(2);
    // First in, first out.
    const order = requestsOf(tag, 'acme').map((r) => r.seq);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    // A run the API queued starts flagged as queued (listed as such before its first workflow task)
    // and writes the flag once, to clear it when it is let in.
    const events = await readHistory(env.client, a[2]!.runId!);
    const startFlag = events[0]!.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields?.[QUEUED_SEARCH_ATTRIBUTE];
    expect(JSON.parse(Buffer.from(startFlag!.data!).toString())).toBe('true');
    const writes = events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[QUEUED_SEARCH_ATTRIBUTE]);
    expect(writes).toHaveLength(1);
  }, 90_000);

  it('skip refuses the run with the key and the run holding it; a webhook answers it as a duplicate', async () => {
    const tag = uniqueId('skip');
    const workflow = keyed('skipping', tag, 800, { concurrency: { key: '{% $input.customer %}', limit: 1, onLimit: 'skip' } });
    const first = (await send('POST', '/v1/runs', { workflow, input: { customer: 'acme' } })).body;
    const refused = await send('POST', '/v1/runs', { workflow, input: { customer: 'acme' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ admission: { kind: 'concurrency', key: 'acme', heldBy: first.runId } });

    const hooked = { ...keyed('hook-skip', tag, 800, { concurrency: { key: '{% $input.customer %}', limit: 1, onLimit: 'skip' } }) };
    hooked.nodes[0]!.data = { kind: 'webhook' };
    expect((await send('PUT', '/v1/workflows/hook-skip', hooked)).status).toBeLessThan(300);
    const one = await send('POST', '/v1/hooks/hook-skip', { customer: 'acme' });
    const two = await send('POST', '/v1/hooks/hook-skip', { customer: 'acme' });
    expect(one).toMatchObject({ status: 202, body: { duplicate: false } });
    expect(two).toMatchObject({ status: 200, body: { duplicate: true, runId: one.body.runId } });
    await ended(first.runId!);
    await ended(one.body.runId!);
  }, 60_000);

  it('cancelOldest cancels the running run and starts the new one once it ended', async () => {
    const tag = uniqueId('co');
    const workflow = keyed('newest-wins', tag, 5_000, { concurrency: { key: 'all', limit: 1, onLimit: 'cancelOldest' } });
    const old = (await send('POST', '/v1/runs', { workflow, input: { customer: 'x' } })).body;
    await eventually(async () => (requestsOf(tag).length === 1 ? true : undefined));
    const next = (await send('POST', '/v1/runs', { workflow, input: { customer: 'y' } })).body;
    expect(next).toMatchObject({ status: 'queued', queue: { key: 'all', position: 1 } });
    expect((await ended(old.runId!)).status).toBe('canceled');
    await eventually(async () => (requestsOf(tag).length === 2 ? true : undefined));
    const [first, second] = requestsOf(tag);
    expect(first!.aborted).toBe(true);
    expect(second!.startTick).toBeGreaterThan(first!.endTick!);
    await send('POST', `/v1/runs/${next.runId}/cancel`);
    await ended(next.runId!);
  }, 60_000);

  it('a queued run can be paused, canceled, or reach its deadline; none of it leaks a slot', async () => {
    const tag = uniqueId('ctl');
    const settings = { concurrency: { key: '{% $input.customer %}', limit: 1 }, timeout: '20s' };
    const workflow = keyed('controlled-queue', tag, 1_500, settings);
    const holder = (await send('POST', '/v1/runs', { workflow, input: { customer: 'c' } })).body;
    const paused = (await send('POST', '/v1/runs', { workflow, input: { customer: 'c' } })).body;
    const canceled = (await send('POST', '/v1/runs', { workflow, input: { customer: 'c' } })).body;
    const late = (await send('POST', '/v1/runs', { workflow: keyed('controlled-queue', tag, 1_500, { ...settings, timeout: '1s' }), input: { customer: 'c' } }))
      .body;
    expect([paused.status, canceled.status, late.status]).toEqual(['queued', 'queued', 'queued']);
    expect((await send('POST', `/v1/runs/${paused.runId}/pause`)).body.status).toBe('paused');
    expect((await send('POST', `/v1/runs/${canceled.runId}/cancel`)).status).toBe(202);
    const timedOut = await ended(late.runId!);
    expect(timedOut).toMatchObject({ status: 'failed', error: { type: 'RunTimedOut' } });
    expect(timedOut.error).toMatchObject({ message: expect.stringContaining('still queued') });
    expect((await ended(canceled.runId!)).status).toBe('canceled');
    expect((await ended(holder.runId!)).status).toBe('succeeded');
    // Let in while paused: it starts nothing until resumed.
    await eventually(async () => ((await view(paused.runId!)).queue === undefined ? true : undefined));
    expect((await view(paused.runId!)).status).toBe('paused');
    expect(requestsOf(tag)).toHaveLength(1);
    expect((await send('POST', `/v1/runs/${paused.runId}/resume`)).status).toBe(202);
    expect((await ended(paused.runId!)).status).toBe('succeeded');
    // Nothing held: the next run starts at once.
    expect((await send('POST', '/v1/runs', { workflow, input: { customer: 'c' } })).body.status).toBe('running');
  }, 90_000);

  it('a run nobody admitted (as a schedule starts one) queues itself', async () => {
    const tag = uniqueId('self');
    const workflow = keyed('self-admitted', tag, 1_000, { concurrency: { key: '{% $input.customer %}', limit: 1 } });
    const holder = (await send('POST', '/v1/runs', { workflow, input: { customer: 's' } })).body;
    const runId = uniqueId('scheduled');
    await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: runId,
      ...runStartOptions({ definition: workflow, name: workflow.name!, input: { customer: 's' } }),
    });
    await eventually(async () => ((await view(runId)).status === 'queued' ? true : undefined));
    expect((await ended(runId)).status).toBe('succeeded');
    expect(mostAtOnce(requestsOf(tag))).toBe(1);
    await ended(holder.runId!);
  }, 60_000);

  it('refuses a key the input does not have, naming the field', async () => {
    const workflow = keyed('no-key', uniqueId('nk'), 10, { concurrency: { key: '{% $input.customer %}', limit: 1 } });
    const refused = await send('POST', '/v1/runs', { workflow, input: {} });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ errors: [{ path: '$.workflow.settings.concurrency.key' }] });
  });
});

describe('rate limit per key', () => {
  it('starts at most `limit` runs per period, holds the rest, and skip answers 429', async () => {
    const tag = uniqueId('rate');
    const workflow = keyed('rated', tag, 10, { rateLimit: { key: '{% $input.customer %}', limit: 2, period: '2s' } });
    const runs: Json[] = [];
    const asked: number[] = [];
    for (let i = 0; i < 4; i++) {
      asked.push(Date.now());
      runs.push((await send('POST', '/v1/runs', { workflow, input: { customer: 'r' } })).body);
    }
    expect(runs.map((r) => r.status)).toEqual(['running', 'running', 'queued', 'queued']);
    const views: Json[] = [];
    for (const r of runs) views.push(await ended(r.runId!));
    const started = views.map((v) => Date.parse((v.nodes as Record<string, { startedAt: string }>).call!.startedAt));
    // The sliding window: the third and fourth start only once the first two left it (each was taken in after it was asked for).
    expect(started[2]! - asked[0]!).toBeGreaterThanOrEqual(1_950);
    expect(started[3]! - asked[1]!).toBeGreaterThanOrEqual(1_950);

    const skipping = keyed('rated-skip', tag, 10, { rateLimit: { key: 'all', limit: 1, period: '1m', onLimit: 'skip' } });
    expect((await send('POST', '/v1/runs', { workflow: skipping })).status).toBe(201);
    const refused = await send('POST', '/v1/runs', { workflow: skipping });
    expect(refused).toMatchObject({ status: 429, body: { admission: { kind: 'rate', key: 'all' } } });
  }, 60_000);
});

describe('debounced and batched webhook deliveries', () => {
  async function saveHook(name: string, data: Record<string, unknown>): Promise<void> {
    const definition = graph(name).trigger().set('echo', '{% $input %}').chain('start', 'echo').build();
    definition.nodes[0]!.data = { kind: 'webhook', ...data };
    const saved = await send('PUT', `/v1/workflows/${name}`, definition);
    expect(saved.status).toBeLessThan(300);
  }

  it('debounce: a burst of one key is one run with its last delivery', async () => {
    const name = uniqueId('debounced');
    await saveHook(name, { debounce: { key: '{% $input.user %}', period: '700ms' } });
    const answers: { status: number; body: Json }[] = [];
    for (let i = 1; i <= 5; i++) answers.push(await send('POST', `/v1/hooks/${name}`, { user: 'u1', n: i }));
    const other = await send('POST', `/v1/hooks/${name}`, { user: 'u2', n: 99 });
    expect(answers.every((a) => a.status === 202 && a.body.status === 'queued')).toBe(true);
    expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
    expect(answers.map((a) => a.body.deliveries)).toEqual([1, 2, 3, 4, 5]);
    expect(other.body.runId).not.toBe(answers[0]!.body.runId);
    const run = await eventually(async () => {
      const v = await send('GET', `/v1/runs/${encodeURIComponent(answers[0]!.body.runId!)}`);
      return v.status === 200 && v.body.status === 'succeeded' ? v.body : undefined;
    });
    expect(run.input).toEqual({ user: 'u1', n: 5 });
    expect(run.trigger).toMatchObject({ kind: 'webhook' });
  }, 60_000);

  it('debounce: the buffer workflow continues as new between and during bursts, and every delivery is answered and run once', async () => {
    const name = uniqueId('debounce-can');
    await saveHook(name, { debounce: { key: '{% $input.user %}', period: '300ms' } });
    const policy = { mode: 'debounce' as const, periodMs: 300 };
    const buffer = bufferWorkflowId('default', name, 'start', 'debounce', 'u1');
    // Started first with a small event budget, so it continues as new several times during the bursts.
    const first = await env.client.workflow.start(BUFFER_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: buffer,
      args: [{ workflow: name, trigger: 'start', policy, maxEvents: 30 }],
    });
    const answers: { status: number; runId?: string; deliveries?: number; body: { b: number; j: number } }[] = [];
    for (let b = 0; b < 6; b++) {
      // Two deliveries at once, then two more: concurrent updates meet a continue-as-new.
      for (const pair of [
        [0, 1],
        [2, 3],
      ]) {
        const sent = await Promise.all(pair.map((j) => send('POST', `/v1/hooks/${name}`, { user: 'u1', b, j })));
        sent.forEach((a, i) => answers.push({ status: a.status, runId: a.body.runId, deliveries: a.body.deliveries as number, body: { b, j: pair[i]! } }));
      }
      await new Promise((r) => setTimeout(r, 700));
    }
    expect(answers.every((a) => a.status === 202 && a.runId)).toBe(true);
    // However the machine's timing split the bursts, each window's run got the last delivery that joined it, and ran once.
    const runIds = [...new Set(answers.map((a) => a.runId!))];
    expect(runIds.length).toBeGreaterThanOrEqual(6);
    for (const runId of runIds) {
      const joined = answers.filter((a) => a.runId === runId);
      const last = joined.reduce((x, y) => (y.deliveries! > x.deliveries! ? y : x));
      expect(new Set(joined.map((a) => a.deliveries)).size).toBe(joined.length);
      // A buffered run exists once its window closed: wait for it to be there and done.
      const run = await eventually(async () => {
        const v = await send('GET', `/v1/runs/${encodeURIComponent(runId)}`);
        return v.status === 200 && v.body.status !== 'running' && v.body.status !== 'queued' ? v.body : undefined;
      });
      expect(run).toMatchObject({ status: 'succeeded', input: { user: 'u1', ...last.body } });
    }
    const history = await env.client.workflow.getHandle(buffer, first.firstExecutionRunId).fetchHistory();
    expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  }, 90_000);

  it('batch: deliveries become runs of `{ items }` at maxSize or timeout, none twice', async () => {
    const name = uniqueId('batched');
    await saveHook(name, { batch: { key: 'all', maxSize: 3, timeout: '1s' } });
    const answers: { status: number; body: Json }[] = [];
    for (let i = 1; i <= 7; i++) answers.push(await send('POST', `/v1/hooks/${name}`, { n: i }));
    const runIds = [...new Set(answers.map((a) => a.body.runId!))];
    expect(runIds).toHaveLength(3);
    const items: number[] = [];
    for (const runId of runIds) {
      const run = await eventually(async () => {
        const v = await send('GET', `/v1/runs/${encodeURIComponent(runId)}`);
        return v.status === 200 && v.body.status === 'succeeded' ? v.body : undefined;
      });
      const input = run.input as { items: { n: number; body: unknown; headers: unknown }[] };
      for (const item of input.items) {
        expect(item).toMatchObject({ body: { n: item.n }, headers: expect.any(Object) });
        items.push(item.n);
      }
    }
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`braid_trigger_deliveries_total\\{workflow="${name}",mode="batched"\\} 7`));
    expect(metrics).toMatch(/braid_run_admissions_total\{workflow="adhoc",outcome="queued"\} \d+/);
  }, 60_000);
});
