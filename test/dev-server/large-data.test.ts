/**
 * Large data on a real dev server (2 MB payload limit, 50 MB history limit):
 * with the claim check (payloads over 128 KiB stored on disk, history holding
 * references) a run of 200 nodes with 500 KiB outputs succeeds and the API
 * and expressions see the real values, and a 5 MB input is accepted. Without
 * it, the same input is a clear 413, not a 500.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { CompositePayloadConverter, DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApp } from '../../src/api/app';
import { ClaimCheckCodec, diskStore } from '../../src/codec/claim-check';
import { silentLogger } from '../../src/logger';
import { createBraidWorker } from '../../src/temporal/worker';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { createLocalEnv, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let client: Client;
const taskQueue = uniqueId('large-tq');
const payloadDir = mkdtempSync(join(tmpdir(), 'braid-payloads-'));
const dataConverter: DataConverter = { payloadCodecs: [new ClaimCheckCodec(diskStore(payloadDir))] };

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
  worker = await createBraidWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: testActivities({ maxResponseBytes: 1024 * 1024 }),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    dataConverter,
  });
  workerDone = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
  rmSync(payloadDir, { recursive: true, force: true });
});

function app(opts: { claimCheck: boolean }) {
  return createApp({
    client: opts.claimCheck ? client : env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 8 * 1024 * 1024, rateLimitPerMinute: 0 },
    logger: silentLogger,
    claimCheck: opts.claimCheck,
  });
}

async function runToEnd(a: ReturnType<typeof app>, body: unknown) {
  const res = await a.request('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  const { runId } = (await res.json()) as { runId: string };
  const run = await eventually(
    async () => {
      const r = (await (await a.request(`/v1/runs/${runId}`)).json()) as { status: string };
      return r.status === 'running' ? undefined : r;
    },
    180_000,
    500,
  );
  return {
    runId,
    run: run as { status: string; outputsOmitted?: boolean; nodes: Record<string, { status: string; output?: { body?: string } }>; output?: unknown },
  };
}

describe('large data with the claim check', () => {
  it('the worker converts JSON with the native UTF-8 encoder and gives a slow activation 60 s, not the 5 s whose timeout aborts Node', () => {
    expect(worker.options.isolateExecutionTimeoutMs).toBe(60_000);
    const converter = worker.options.loadedDataConverter.payloadConverter as CompositePayloadConverter;
    expect(converter.converters.map((c) => c.constructor.name)).toEqual(['UndefinedPayloadConverter', 'BinaryPayloadConverter', 'NativeJsonPayloadConverter']);
    // The bundle the workflows run in was built with it too (test/global-setup.ts), as the worker process bundles itself with it.
    expect(readFileSync(inject('workflowBundlePath'), 'utf8')).toContain('NativeJsonPayloadConverter');
  });

  it('200 nodes with 500 KiB outputs succeed; history holds references; the API and expressions see the real values', { timeout: 240_000 }, async () => {
    let def = graph('large-outputs')
      .trigger()
      .node('join', 'merge')
      .node('size', 'set', { value: '{% $length($nodes.n0.output.body) + $length($nodes.n199.output.body) %}' });
    for (let i = 0; i < 200; i++) def = def.http(`n${i}`, `${target.url}/big/512000`).edge('start', `n${i}`).edge(`n${i}`, 'join');
    const { runId, run } = await runToEnd(app({ claimCheck: true }), { workflow: def.edge('join', 'size').with({ maxParallel: 50 }).build() });
    expect(run.status).toBe('succeeded');
    expect(run.outputsOmitted).toBeUndefined();
    expect(run.nodes.n0!.output!.body).toHaveLength(512_000);
    expect(run.nodes.n199!.output!.body).toHaveLength(512_000);
    expect(run.nodes.size!.output).toBe(1_024_000);
    const d = await env.client.workflow.getHandle(runId).describe();
    expect(Number(d.historySize)).toBeLessThan(5 * 1024 * 1024); // the outputs alone are ~100 MB
  });

  it('a fan-out wide enough for batch children keeps every output whole (no batch drops one past its 1.5 MB result budget)', { timeout: 240_000 }, async () => {
    // 160 siblings all ready at once: more than the run's slots clear in three waves, so they go to batch children of up to 45.
    let def = graph('large-batched')
      .trigger()
      .node('join', 'merge')
      .node('size', 'set', { value: '{% $sum($map([0..159], function($i) { $length($lookup($nodes, "n" & $i).output.body) })) %}' });
    for (let i = 0; i < 160; i++) def = def.http(`n${i}`, `${target.url}/big/204800`).edge('start', `n${i}`).edge(`n${i}`, 'join');
    const { runId, run } = await runToEnd(app({ claimCheck: true }), { workflow: def.edge('join', 'size').with({ maxParallel: 1000 }).build() });
    expect(run.status).toBe('succeeded');
    for (const batch of ['batch-1', 'batch-2']) expect((await env.client.workflow.getHandle(`${runId}/${batch}`).describe()).type).toBe('nodeBatchWorkflow');
    expect(run.nodes.size!.output).toBe(160 * 204_800);
  });

  it("a subworkflow keeps its child run's large output whole", { timeout: 120_000 }, async () => {
    const child = graph('large-child').trigger().http('big', `${target.url}/big/512000`).edge('start', 'big').build();
    const def = graph('large-parent')
      .trigger()
      .node('sub', 'subworkflow', { workflow: child })
      .set('size', '{% $length($nodes.sub.output.big.body) %}')
      .chain('start', 'sub', 'size')
      .build();
    const { run } = await runToEnd(app({ claimCheck: true }), { workflow: def });
    expect(run.status).toBe('succeeded');
    expect(run.nodes.size!.output).toBe(512_000);
  });

  it('accepts a 5 MB input and hands it to expressions whole', { timeout: 120_000 }, async () => {
    const blob = 'z'.repeat(5 * 1024 * 1024);
    const def = graph('large-input').trigger().set('size', '{% $length($input.blob) %}').edge('start', 'size').build();
    const { run } = await runToEnd(app({ claimCheck: true }), { workflow: def, input: { blob } });
    expect(run.status).toBe('succeeded');
    expect(run.nodes.size!.output).toBe(blob.length);
  });
});

describe('large data without the claim check', () => {
  it('a 5 MB input is a clear 413, not a 500, and nothing is started', async () => {
    const def = graph('large-input-off').trigger().set('size', '{% $length($input.blob) %}').edge('start', 'size').build();
    const res = await app({ claimCheck: false }).request('/v1/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: def, input: { blob: 'z'.repeat(5 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/Temporal's payload limit.*PAYLOAD_STORE/);
  });
});
