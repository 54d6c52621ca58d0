/**
 * Approval, wait, activity and subworkflow nodes through the real API, a real
 * Temporal dev server and a real Braid worker; the activity node calls a
 * separate worker process that registers its own activity on its own task
 * queue.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { createNodeTypeActivities } from '../../activities/node-types';
import { createApp } from '../../src/api/app';
import type { NodeTypeRegistry } from '../../src/node-types';
import { defineNodeType, loadNodeTypes } from '../../src/node-types';
import { stateQuery } from '../../workflows';
import { z } from 'zod';
import { eventAcceptedSchema, nodeStateSchema, problemSchema, runCreatedSchema, runSchema, savedVersionSchema } from '../../src/api/schemas';
import { childRunId } from '../../src/graph/run-state';
import { silentLogger } from '../../src/logger';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually, readSse } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let worker: Worker;
let workerDone: Promise<void>;
let other: ChildProcess;
let app: ReturnType<typeof createApp>;
let target: HttpTarget;
let nodeTypes: NodeTypeRegistry;
const taskQueue = uniqueId('lang-tq');
const inventoryQueue = uniqueId('inventory');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  nodeTypes = await loadNodeTypes(resolve(root, 'examples', 'node-types', 'index.ts'));
  worker = await createTestWorker(env, { ...createNodeTypeActivities(nodeTypes), ...testActivities() } as Activities, taskQueue);
  workerDone = worker.run();
  other = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['test/fixtures/other-worker/main.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: inventoryQueue },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    other.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && ready());
    other.once('exit', (code) => fail(new Error(`the other worker exited with ${code}`)));
  });
  app = createApp({
    client: env.client,
    config: {
      namespace: 'default',
      taskQueue,
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 0,
      activityAllowlist: [`${inventoryQueue}:reserveStock`],
    },
    logger: silentLogger,
    watchIntervalMs: 50,
    nodeTypes,
  });
});

afterAll(async () => {
  other?.kill('SIGTERM');
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

const post = (path: string, body?: unknown, method = 'POST') =>
  app.request(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
const read = async (runId: string) => runSchema.parse(await (await app.request(`/v1/runs/${runId}`)).json());
const start = async (workflow: unknown, input?: unknown) => {
  const res = await post('/v1/runs', { workflow, ...(input === undefined ? {} : { input }) });
  expect(res.status).toBe(201);
  return runCreatedSchema.parse(await res.json()).runId;
};
const finished = (runId: string) =>
  eventually(async () => {
    const run = await read(runId);
    return run.status === 'running' ? undefined : run;
  });

describe('approval through the API', () => {
  it('shows what the run waits for, takes a decision (200 with the node), and refuses what it must', async () => {
    const workflow = graph('approve-e2e')
      .trigger()
      .node('ask', 'approval', { prompt: 'Refund 120 EUR?', timeout: '1d' })
      .set('refund', 'refunded')
      .set('deny', 'denied')
      .edge('start', 'ask')
      .edge('ask', 'refund', 'approved')
      .edge('ask', 'deny', 'rejected')
      .build();
    const runId = await start(workflow);
    const stream = app.request(`/v1/runs/${runId}/events`);

    const waiting = await eventually(async () => {
      const run = await read(runId);
      return run.waitingFor.length > 0 ? run : undefined;
    });
    expect(waiting.nodes.ask!.status).toBe('waiting');
    expect(waiting.waitingFor).toEqual([
      {
        nodeId: 'ask',
        kind: 'approval',
        prompt: 'Refund 120 EUR?',
        since: expect.any(String),
        timeoutAt: expect.any(String),
        links: { answer: `/v1/runs/${runId}/nodes/ask/decision` },
      },
    ]);

    expect((await post(`/v1/runs/${runId}/nodes/ask/decision`, { approved: 'yes' })).status).toBe(422);
    expect((await post(`/v1/runs/${runId}/nodes/refund/decision`, { approved: true })).status).toBe(404);
    expect((await post(`/v1/runs/${runId}/nodes/nope/decision`, { approved: true })).status).toBe(404);
    expect((await post('/v1/runs/no-such-run/nodes/ask/decision', { approved: true })).status).toBe(404);

    // Who decided comes from the credential: a `by` in the body is refused.
    const claimed = await post(waiting.waitingFor[0]!.links.answer, { approved: true, by: 'grace' });
    expect(claimed.status).toBe(422);
    expect(JSON.stringify(await claimed.json())).toContain('by');
    const decided = await post(waiting.waitingFor[0]!.links.answer, { approved: true, comment: 'within policy' });
    expect(decided.status).toBe(200);
    expect(nodeStateSchema.parse(await decided.json())).toMatchObject({
      status: 'succeeded',
      output: { approved: true, by: 'anonymous', comment: 'within policy' },
    });

    const again = await post(`/v1/runs/${runId}/nodes/ask/decision`, { approved: false });
    expect(again.status).toBe(409);
    const done = await finished(runId);
    expect(done).toMatchObject({ status: 'succeeded', waitingFor: [], nodes: { refund: { status: 'succeeded' }, deny: { status: 'skipped' } } });
    const late = await post(`/v1/runs/${runId}/nodes/ask/decision`, { approved: false });
    expect(late.status).toBe(409);
    expect(problemSchema.parse(await late.json()).detail).toContain('succeeded');

    // Watchers saw the node wait, then succeed.
    const events = await readSse(await stream, (e) => e.event === 'run');
    const statuses = events
      .filter((e) => e.event === 'node' && (e.data as { nodeId: string }).nodeId === 'ask')
      .map((e) => (e.data as { status: string }).status);
    expect(statuses).toContain('waiting');
    expect(statuses.at(-1)).toBe('succeeded');
  });

  it('a second decision while the node still settles is refused with 409', async () => {
    //  start ─▶ ask ─(rejected)─▶ hold (waits for an event, so the run stays open)
    const workflow = graph('approve-twice')
      .trigger()
      .node('ask', 'approval')
      .node('hold', 'wait', { event: 'release' })
      .edge('start', 'ask')
      .edge('ask', 'hold', 'rejected')
      .build();
    const runId = await start(workflow);
    await eventually(async () => ((await read(runId)).nodes.ask?.status === 'waiting' ? true : undefined));
    expect((await post(`/v1/runs/${runId}/nodes/ask/decision`, { approved: false })).status).toBe(200);
    const second = await post(`/v1/runs/${runId}/nodes/ask/decision`, { approved: true });
    expect(second.status).toBe(409);
    expect(problemSchema.parse(await second.json()).detail).toMatch(/not waiting/);
    expect((await post(`/v1/runs/${runId}/events/release`, {})).status).toBe(202);
    expect((await finished(runId)).nodes.ask!.output).toMatchObject({ approved: false });
  });
});

describe('wait through the API', () => {
  it('delivers events (kept when early), whose bodies become the outputs; 409 once the run ended', async () => {
    //  start ─▶ paid ─▶ shipped ─▶ summary
    const workflow = graph('wait-e2e')
      .trigger()
      .node('paid', 'wait', { event: 'payment.received' })
      .node('shipped', 'wait', { event: 'order.shipped', timeout: '7d' })
      .node('summary', 'set', { value: '{% $nodes.paid.output.amount & " paid, tracking " & $nodes.shipped.output.tracking %}' })
      .chain('start', 'paid', 'shipped', 'summary')
      .build();
    const runId = await start(workflow);
    // Shipped before paid: kept until the shipped node waits.
    const early = await post(`/v1/runs/${runId}/events/order.shipped`, { tracking: 'ZX9' });
    expect(early.status).toBe(202);
    expect(eventAcceptedSchema.parse(await early.json())).toMatchObject({ runId, event: 'order.shipped', status: 'delivered' });
    const waiting = await eventually(async () => {
      const run = await read(runId);
      return run.waitingFor.length > 0 ? run : undefined;
    });
    expect(waiting.waitingFor[0]).toMatchObject({
      nodeId: 'paid',
      kind: 'event',
      event: 'payment.received',
      links: { answer: `/v1/runs/${runId}/events/payment.received` },
    });
    expect((await post(`/v1/runs/${runId}/events/payment.received`, '{not json')).status).toBe(400);
    expect((await post(`/v1/runs/${runId}/events/bad name`, {})).status).toBe(422);
    expect((await post(`/v1/runs/${runId}/events/payment.received`, { amount: '42 EUR' })).status).toBe(202);
    const done = await finished(runId);
    expect(done.status).toBe('succeeded');
    expect(done.nodes.summary!.output).toBe('42 EUR paid, tracking ZX9');
    expect((await post(`/v1/runs/${runId}/events/payment.received`, {})).status).toBe(409);
    expect((await post('/v1/runs/nobody/events/x', {})).status).toBe(404);
  });
});

describe('activity through the API', () => {
  it("calls an activity of a separate worker process on that worker's task queue", async () => {
    const workflow = graph('activity-e2e')
      .trigger()
      .node('reserve', 'activity', { activityType: 'reserveStock', taskQueue: inventoryQueue, args: '{% [$input.sku, $input.quantity] %}' }, { timeout: '10s' })
      .edge('start', 'reserve')
      .build();
    const ok = await finished(await start(workflow, { sku: 'A-1', quantity: 3 }));
    expect(ok.status).toBe('succeeded');
    expect(ok.nodes.reserve).toMatchObject({ status: 'succeeded', output: { sku: 'A-1', reserved: 3 } });
    // The output names the process that ran it: not this one.
    expect((ok.nodes.reserve!.output as { by: string }).by).not.toBe(`pid ${process.pid}`);

    const refused = await finished(await start(workflow, { sku: 'A-1', quantity: 50 }));
    expect(refused.status).toBe('failed');
    expect(refused.nodes.reserve).toMatchObject({ status: 'failed', error: { type: 'OutOfStock', details: { sku: 'A-1', available: 10 } } });
  });
});

describe('subworkflow through the API', () => {
  it('runs a saved workflow by ref as its own run, linked both ways', async () => {
    const doubler = graph('doubler').trigger('in').node('double', 'set', { value: '{% $input.n * 2 %}' }).edge('in', 'double').build();
    const saved = savedVersionSchema.parse(await (await post('/v1/workflows/doubler', doubler, 'PUT')).json());
    const workflow = graph('parent-e2e')
      .trigger()
      .node('sub', 'subworkflow', { ref: 'doubler', input: '{% { "n": $input.n } %}' })
      .edge('start', 'sub')
      .build();
    const runId = await start(workflow, { n: 21 });
    const done = await finished(runId);
    const childId = childRunId(runId, 'sub');
    expect(done.nodes.sub).toMatchObject({ status: 'succeeded', output: { double: 42 }, childRunId: childId });
    const child = await read(childId);
    expect(child).toMatchObject({
      status: 'succeeded',
      workflow: { name: 'doubler', version: saved.version },
      parent: { runId, nodeId: 'sub', links: { self: `/v1/runs/${runId}` } },
    });
  });

  it('refuses unknown refs and cycles of refs, at save and at start', async () => {
    const leaf = graph('leaf').trigger().set('x', 1).edge('start', 'x').build();
    expect((await post('/v1/workflows/cycle-b', leaf, 'PUT')).status).toBe(201);
    const refTo = (name: string) => graph().trigger().node('sub', 'subworkflow', { ref: name }).edge('start', 'sub').build();
    expect((await post('/v1/workflows/cycle-a', refTo('cycle-b'), 'PUT')).status).toBe(201);

    const cycle = await post('/v1/workflows/cycle-b', refTo('cycle-a'), 'PUT');
    expect(cycle.status).toBe(422);
    expect(problemSchema.parse(await cycle.json()).errors).toEqual([
      { path: '$.nodes[1].data.ref', message: expect.stringContaining('cycle-b → cycle-a → cycle-b') },
    ]);
    const self = await post('/v1/workflows/cycle-self', refTo('cycle-self'), 'PUT');
    expect(self.status).toBe(422);

    const unknown = await post('/v1/runs', { workflow: refTo('nobody-saved-this') });
    expect(unknown.status).toBe(422);
    expect(problemSchema.parse(await unknown.json()).errors?.[0]).toMatchObject({
      path: '$.nodes[1].data.ref',
      message: expect.stringContaining('no saved workflow'),
    });
  });

  it("fails the node when the child run outlives the node's timeout", async () => {
    const slow = graph('slow-child').trigger('in').node('pause', 'delay', { duration: '1h' }).edge('in', 'pause').build();
    const runId = await start(graph('parent-timeout').trigger().node('sub', 'subworkflow', { workflow: slow }, { timeout: '1s' }).edge('start', 'sub').build());
    const done = await finished(runId);
    expect(done.status).toBe('failed');
    expect(done.nodes.sub).toMatchObject({ status: 'failed', error: { type: 'SubworkflowFailed', message: expect.stringMatching(/timed out/i) } });
    expect((await env.client.workflow.getHandle(childRunId(runId, 'sub')).describe()).status.name).toBe('TIMED_OUT');
  });

  it('canceling the parent run cancels the child run', async () => {
    const slow = graph('slow-child').trigger('in').node('pause', 'delay', { duration: '1h' }).edge('in', 'pause').build();
    const runId = await start(graph('parent-cancel').trigger().node('sub', 'subworkflow', { workflow: slow }).edge('start', 'sub').build());
    const childId = childRunId(runId, 'sub');
    await eventually(async () => ((await app.request(`/v1/runs/${childId}`)).status === 200 ? true : undefined));
    expect((await post(`/v1/runs/${runId}/cancel`)).status).toBe(202);
    expect((await finished(runId)).nodes.sub!.status).toBe('canceled');
    expect((await finished(childId)).status).toBe('canceled');
  });
});

describe('forEach through the API', () => {
  it('shows progress while items run, and ends with every output in item order', async () => {
    const body = graph('item')
      .trigger('in')
      .http('call', `{% "${target.url}/delay/20?i=" & $string($index) %}`)
      .node('out', 'set', { value: '{% $index * 10 %}' })
      .chain('in', 'call', 'out')
      .build();
    const workflow = graph('for-each-e2e')
      .trigger()
      .node('each', 'forEach', { items: '{% $input.items %}', body, maxConcurrency: 20 })
      .edge('start', 'each')
      .build();
    const items = Array.from({ length: 600 }, (_, i) => ({ sku: `S-${i}` }));
    const runId = await start(workflow, { items });
    const midway = await eventually(
      async () => {
        const p = (await read(runId)).nodes.each?.progress;
        return p && p.done > 0 && p.done < p.total ? p : undefined;
      },
      60_000,
      50,
    );
    expect(midway).toMatchObject({ failed: 0, total: 600 });
    const done = await eventually(async () => {
      const run = await read(runId);
      return run.status === 'running' ? undefined : run;
    }, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.nodes.each!.progress).toEqual({ done: 600, failed: 0, total: 600 });
    expect((done.nodes.each!.output as { out: number }[]).map((o) => o.out)).toEqual(items.map((_, i) => i * 10));
    expect(target.requests.filter((r) => r.path.startsWith('/delay/20?i=')).length).toBeGreaterThanOrEqual(600);
  });

  it("fails when the loop outlives the node's timeout, reporting how far it got", async () => {
    const slow = graph('slow-item').trigger('in').node('pause', 'delay', { duration: '{% $item < 2 ? "1ms" : "1h" %}' }).edge('in', 'pause').build();
    const workflow = graph('for-each-timeout')
      .trigger()
      .node('each', 'forEach', { items: [0, 1, 2, 3], body: slow, maxConcurrency: 4 }, { timeout: '2s' })
      .edge('start', 'each')
      .build();
    const done = await finished(await start(workflow));
    expect(done.status).toBe('failed');
    expect(done.nodes.each).toMatchObject({ status: 'failed', error: { type: 'TimeoutFailure', details: { progress: { done: 2, total: 4 } } } });
  });

  it('shows progress while slow items wait, and is canceled with the run, batches and all', async () => {
    const slow = graph('slow').trigger('in').node('pause', 'delay', { duration: '{% $item = 0 ? "1ms" : "1d" %}' }).edge('in', 'pause').build();
    const items = Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1));
    const workflow = graph('for-each-cancel').trigger().node('each', 'forEach', { items, body: slow, maxConcurrency: 5 }).edge('start', 'each').build();
    const runId = await start(workflow);
    // Batches report every tenth of their items: quick ones show while the slow ones wait.
    const progress = await eventually(async () => {
      const p = (await read(runId)).nodes.each?.progress;
      return p && p.done >= 6 ? p : undefined;
    }, 30_000);
    expect(progress).toMatchObject({ failed: 0, total: 30 });
    expect(progress.done).toBeLessThanOrEqual(20);
    expect((await read(runId)).status).toBe('running');
    // Its batch children (`<runId>.each/batch-<k>`) hold the slow items.
    const openChildren = async () => {
      const ids: string[] = [];
      for await (const w of env.client.workflow.list({ query: 'ExecutionStatus = "Running"' }))
        if (w.workflowId.startsWith(`${runId}.each/`)) ids.push(w.workflowId);
      return ids;
    };
    await eventually(async () => ((await openChildren()).length > 0 ? true : undefined), 30_000);
    expect((await post(`/v1/runs/${runId}/cancel`)).status).toBe(202);
    const done = await finished(runId);
    expect(done.status).toBe('canceled');
    expect(done.nodes.each!.status).toBe('canceled');
    // No batch child outlives the run.
    await eventually(async () => ((await openChildren()).length === 0 ? true : undefined), 30_000);
  });

  it('refuses a forEach body that waits for answers', async () => {
    const body = graph('b').trigger('in').node('ask', 'approval').set('x', 1).edge('in', 'ask').edge('ask', 'x', 'approved').build();
    const res = await post(
      '/v1/workflows/validate',
      graph()
        .trigger()
        .node('each', 'forEach', { items: [1], body })
        .edge('start', 'each')
        .build(),
    );
    expect(res.status).toBe(422);
    expect(problemSchema.parse(await res.json()).errors).toEqual([
      { path: '$.nodes[1].data.body.nodes[1].type', message: expect.stringContaining('subworkflow') },
    ]);
  });
});

describe('custom node types through the API', () => {
  it("run as activities named after the type, with the data's expressions evaluated", async () => {
    const workflow = graph('custom-e2e')
      .trigger()
      .node('slug', 'slugify', { text: '{% $input.title %}', separator: '_' })
      .node('hash', 'sha256', { text: '{% $nodes.slug.output.slug %}' })
      .chain('start', 'slug', 'hash')
      .build();
    const runId = await start(workflow, { title: 'Crème Brûlée: a Recipe!' });
    const done = await finished(runId);
    expect(done.status).toBe('succeeded');
    expect(done.nodes.slug).toMatchObject({ status: 'succeeded', output: { slug: 'creme_brulee_a_recipe' }, execution: 'activity' });
    expect((done.nodes.hash!.output as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    const history = await env.client.workflow.getHandle(runId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(types).toEqual(['slugify', 'sha256']);
  });

  it('is canceled with the run: the AbortSignal handed to run fires', async () => {
    // examples/node-types has no slow type; this run's worker gets one of its own.
    const slowQueue = uniqueId('slow-types');
    let aborted = false;
    const slowTypes = new Map([
      [
        'hold',
        defineNodeType({
          type: 'hold',
          data: z.object({}).strict(),
          run: (_d, { signal }) =>
            new Promise((_r, reject) =>
              signal.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              }),
            ),
        }),
      ],
    ]);
    const slowWorker = await createTestWorker(env, { ...createNodeTypeActivities(slowTypes, 200), ...testActivities() } as Activities, slowQueue);
    await slowWorker.runUntil(async () => {
      const handle = await env.client.workflow.start('graphWorkflow', {
        taskQueue: slowQueue,
        workflowId: uniqueId('hold'),
        args: [{ definition: graph('hold').trigger().node('n', 'hold', {}).edge('start', 'n').build(), nodeTypes: ['hold'] }],
      });
      await eventually(async () => ((await handle.query(stateQuery)).nodes.n?.status === 'running' ? true : undefined));
      await new Promise((r) => setTimeout(r, 500));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect((await handle.query(stateQuery)).nodes.n!.status).toBe('canceled');
    });
    expect(aborted).toBe(true);
  });

  it('fails, without retrying, when the evaluated data does not fit the schema', async () => {
    const workflow = graph('custom-bad')
      .trigger()
      .node('slug', 'slugify', { text: '{% $input.missing ? $input.missing : "" %}' })
      .edge('start', 'slug')
      .build();
    const done = await finished(await start(workflow, {}));
    expect(done.nodes.slug).toMatchObject({
      status: 'failed',
      error: { type: 'InvalidNodeData', message: expect.stringContaining('data.text: must not be empty') },
    });
  });
});
