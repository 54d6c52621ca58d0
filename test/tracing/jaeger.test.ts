/**
 * Traces against a real Jaeger (built from its Go module, src/telemetry/jaeger.ts):
 * a run started with a caller's `traceparent` is one tree under the caller —
 * the API request, the run, one span per node, one client span per HTTP
 * request — and the target saw each client span's context; a run without
 * one has one root; a worker that replays a run after another stopped
 * reports no span twice, a redrive's run links to the run it redrives, and a
 * worker process killed with SIGKILL mid-node
 * leaves one span per node, the killed attempt a `retry` event on it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { TraceContextInterceptor } from '../../activities/http-trace';
import { createLogger, silentLogger } from '../../src/logger';
import type { RunningJaeger } from '../../src/telemetry/jaeger';
import { ensureJaeger, startJaeger } from '../../src/telemetry/jaeger';
import type { Tracing } from '../../src/telemetry/tracing';
import { startTracing } from '../../src/telemetry/tracing';
import { freePort } from '../../src/temporal/free-port';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { artifact, launchBrowser } from '../helpers/browser';
import { eventually } from '../helpers/sse';
import type { PictureSpan } from '../helpers/trace-picture';
import { screenshotTrace } from '../helpers/trace-picture';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

interface JaegerSpan {
  spanID: string;
  operationName: string;
  /** Microseconds since the epoch. */
  startTime: number;
  references: { refType: string; spanID: string; traceID: string }[];
  tags: { key: string; value: unknown }[];
  logs: { fields: { key: string; value: unknown }[] }[];
}

let jaeger: RunningJaeger;
let tracing: Tracing;
let env: TestWorkflowEnvironment;
let target: HttpTarget;
let worker: Worker;
let workerDone: Promise<void>;
let app: ReturnType<typeof createApp>;
const taskQueue = uniqueId('trace-tq');
const root = resolve(__dirname, '..', '..');

function makeApp(queue: string) {
  return createApp({
    client: env.client,
    config: {
      namespace: 'default',
      taskQueue: queue,
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 0,
      otelTraceUrl: 'http://jaeger.local/trace/{traceId}',
    },
    logger: silentLogger,
    watchIntervalMs: 50,
  });
}

beforeAll(async () => {
  // Built by .ci/run before the tests; a clone without it builds it here (minutes).
  const binary = await ensureJaeger(silentLogger);
  jaeger = await startJaeger(binary, { otlpHttp: await freePort(), query: await freePort(), queryGrpc: await freePort() });
  tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint }, 'braid-test')!;
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = makeApp(taskQueue);
}, 20 * 60_000);

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await tracing?.shutdown();
  await Promise.all([env?.teardown(), target?.close(), jaeger?.stop()]);
});

async function startRun(workflow: unknown, headers: Record<string, string> = {}, via = app): Promise<string> {
  const res = await via.request('/v1/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ workflow }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

async function finished(runId: string, timeoutMs = 60_000): Promise<string> {
  return eventually(async () => {
    const body = (await (await app.request(`/v1/runs/${encodeURIComponent(runId)}`)).json()) as { status: string };
    return body.status === 'running' ? undefined : body.status;
  }, timeoutMs);
}

/** `npm run worker` as its own process, tracing to Jaeger. */
function workerProcess(queue: string): ChildProcess {
  // Node itself, not the tsx CLI (whose SIGKILL would leave its node child running).
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: queue,
      HTTP_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_SERVICE_NAME: 'braid-worker-process',
    },
    stdio: 'ignore',
  });
}

/** The trace's spans once Jaeger holds `count` of them. */
async function spansOf(traceId: string, count: number): Promise<JaegerSpan[]> {
  await tracing.provider.forceFlush();
  return eventually(async () => {
    const res = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
    if (!res.ok) return undefined;
    const spans = ((await res.json()) as { data: { spans: JaegerSpan[] }[] }).data[0]?.spans ?? [];
    return spans.length >= count ? spans : undefined;
  }, 30_000);
}

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
const named = (spans: JaegerSpan[], name: string) => spans.filter((s) => s.operationName === name);

describe('traces in Jaeger', () => {
  it("continue the caller's trace: request → run → a span per node → a client span per request, which the target saw", async () => {
    const name = uniqueId('traced');
    const workflow = graph(name)
      .trigger()
      .http('a', `${target.url}/delay/20?t=${name}-a`)
      .http('b', `${target.url}/delay/20?t=${name}-b`)
      .set('c', { done: true })
      .edge('start', 'a')
      .edge('start', 'b')
      .edge('a', 'c')
      .edge('b', 'c')
      .build();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const runId = await startRun(workflow, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(await finished(runId)).toBe('succeeded');
    const view = (await (await app.request(`/v1/runs/${encodeURIComponent(runId)}`)).json()) as { links: { trace?: string } };
    expect(view.links.trace).toBe(`http://jaeger.local/trace/${callerTrace}`);

    const spans = await spansOf(callerTrace, 8); // the request, the run, 4 nodes, 2 requests
    expect(spans).toHaveLength(8);
    const [request] = named(spans, 'POST /v1/runs');
    expect(parentOf(request!)).toBe(callerSpan);
    const [run] = named(spans, `run ${name}`);
    expect(parentOf(run!)).toBe(request!.spanID);
    expect(tag(run!, 'braid.run.id')).toBe(runId);
    expect(tag(run!, 'braid.workflow.name')).toBe(name);
    for (const id of ['start', 'a', 'b', 'c']) {
      const [node] = named(spans, `node ${id}`);
      expect(node, id).toBeDefined();
      expect(parentOf(node!)).toBe(run!.spanID);
      expect(tag(node!, 'braid.node.id')).toBe(id);
      expect(tag(node!, 'braid.node.status')).toBe('succeeded');
      expect(tag(node!, 'braid.node.attempts')).toBe(1);
    }
    for (const id of ['a', 'b']) {
      const [node] = named(spans, `node ${id}`);
      expect(tag(node!, 'braid.node.type')).toBe('http');
      const clients = spans.filter((s) => parentOf(s) === node!.spanID);
      expect(clients).toHaveLength(1);
      expect(clients[0]!.operationName).toBe('GET');
      expect(tag(clients[0]!, 'span.kind')).toBe('client');
      expect(tag(clients[0]!, 'http.response.status_code')).toBe(200);
      const seen = target.requests.filter((r) => r.path.endsWith(`t=${name}-${id}`));
      expect(seen).toHaveLength(1);
      expect(seen[0]!.headers.traceparent).toBe(`00-${callerTrace}-${clients[0]!.spanID}-01`);
    }

    // The picture in docs/operations.md (copied from test-artifacts/trace.png).
    const answer = (await (await fetch(`${jaeger.queryUrl}/api/traces/${callerTrace}`)).json()) as {
      data: { spans: PictureSpan[]; processes: Record<string, { serviceName: string }> }[];
    };
    const services = Object.fromEntries(Object.entries(answer.data[0]!.processes).map(([id, p]) => [id, p.serviceName]));
    const browser = await launchBrowser();
    try {
      await screenshotTrace(browser, artifact('trace.png'), callerTrace, answer.data[0]!.spans, services);
    } finally {
      await browser.close();
    }
    expect(readFileSync(artifact('trace.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);

  it('give a run without a caller one root: the API request', async () => {
    const name = uniqueId('root');
    const runId = await startRun(graph(name).trigger().http('a', `${target.url}/delay/5?t=${name}`).edge('start', 'a').build());
    expect(await finished(runId)).toBe('succeeded');
    const sent = target.requests.find((r) => r.path.endsWith(`t=${name}`))!.headers.traceparent as string;
    const traceId = sent.split('-')[1]!;
    const spans = await spansOf(traceId, 5);
    const ids = new Set(spans.map((s) => s.spanID));
    const roots = spans.filter((s) => !parentOf(s) || !ids.has(parentOf(s)!));
    expect(roots.map((s) => s.operationName)).toEqual(['POST /v1/runs']);
    expect(spans).toHaveLength(5);
  }, 120_000);

  it("run a traced node's activity inside the node's context, so the lines it logs carry its ids", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', {}, (l) => lines.push(JSON.parse(l)));
    const interceptor = new TraceContextInterceptor();
    const execute = (args: unknown[]) =>
      interceptor.execute({ args, headers: {} } as never, async () => {
        logger.info('node activity');
        return undefined;
      });
    await execute([{ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }]);
    await execute([{ url: 'no trace' }]);
    expect(lines[0]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('report each node once when another worker replays the run', async () => {
    const name = uniqueId('replayed');
    const workflow = graph(name)
      .trigger()
      .http('a', `${target.url}/delay/5?t=${name}-a`)
      .node('wait', 'delay', { duration: '2s' })
      .http('b', `${target.url}/delay/5?t=${name}-b`)
      .edge('start', 'a')
      .edge('a', 'wait')
      .edge('wait', 'b')
      .build();
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    const runId = await startRun(workflow, { traceparent: `00-${traceId}-1111222233334444-01` });
    // While the run waits on its delay: stop this worker (its cached run goes) and poll with a new one, which replays it.
    await eventually(async () => (target.requests.some((r) => r.path.endsWith(`t=${name}-a`)) ? true : undefined), 30_000);
    worker.shutdown();
    await workerDone;
    worker = await createTestWorker(env, testActivities(), taskQueue);
    workerDone = worker.run();
    expect(await finished(runId)).toBe('succeeded');
    const spans = await spansOf(traceId, 7);
    await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would have come by now
    const again = await spansOf(traceId, 7);
    for (const id of ['start', 'a', 'wait', 'b']) expect(named(again, `node ${id}`), id).toHaveLength(1);
    expect(named(again, `run ${name}`)).toHaveLength(1);
    expect(again).toHaveLength(spans.length);
  }, 120_000);

  it('link a redrive to the run it redrives', async () => {
    const name = uniqueId('redriven');
    const workflow = graph(name)
      .trigger()
      .http('a', `${target.url}/delay/5?t=${name}-a`)
      .http('b', `${target.url}/flaky/${name}/1`, { retry: { maximumAttempts: 1 } })
      .chain('start', 'a', 'b')
      .build();
    const firstTrace = '0123456789abcdef0123456789abcdef';
    const runId = await startRun(workflow, { traceparent: `00-${firstTrace}-0123456789abcdef-01` });
    expect(await finished(runId)).toBe('failed');
    const res = await app.request(`/v1/runs/${encodeURIComponent(runId)}/redrive`, { method: 'POST' });
    expect(res.status).toBe(201);
    const redrive = (await res.json()) as { runId: string; links: { trace?: string } };
    expect(await finished(redrive.runId)).toBe('succeeded');
    const [original] = named(await spansOf(firstTrace, 5), `run ${name}`);
    const secondTrace = redrive.links.trace!.split('/').at(-1)!;
    expect(secondTrace).not.toBe(firstTrace);
    const second = await spansOf(secondTrace, 5); // the redrive request, the run, start, a (reused), b
    const [run] = named(second, `run ${name}`);
    expect(run!.references).toContainEqual(expect.objectContaining({ refType: 'FOLLOWS_FROM', traceID: firstTrace, spanID: original!.spanID }));
    expect(tag(named(second, 'node a')[0]!, 'braid.node.reused_from')).toBe(runId);
  }, 120_000);

  it('leave one span per node when a worker process is killed with SIGKILL mid-node; each retry event says why', async () => {
    const queue = uniqueId('trace-kill');
    const via = makeApp(queue);
    const name = uniqueId('killed');
    const workflow = graph(name)
      .trigger()
      .http('flaky', `${target.url}/flaky/${name}/1`, { retry: { initialInterval: '100ms' } })
      .http('slow', `${target.url}/delay/3000?t=${name}-slow`, { retry: { initialInterval: '100ms' } })
      .set('c', { done: true })
      .chain('start', 'flaky', 'slow', 'c')
      .build();
    const traceId = 'cccc0000dddd1111eeee2222ffff3333';
    const first = workerProcess(queue);
    let second: ChildProcess | undefined;
    try {
      const runId = await startRun(workflow, { traceparent: `00-${traceId}-5555666677778888-01` }, via);
      // `slow`'s first request is in flight, and what ended before it had a batch delay (1 s) to be exported.
      await eventually(async () => (target.requests.some((r) => r.path.endsWith(`t=${name}-slow`)) ? true : undefined), 90_000);
      await new Promise((r) => setTimeout(r, 1_500));
      first.kill('SIGKILL');
      second = workerProcess(queue);
      // The killed attempt ends by its 10 s heartbeat timeout; the new process runs the second.
      expect(await finished(runId, 90_000)).toBe('succeeded');
      expect(target.requests.filter((r) => r.path.endsWith(`t=${name}-slow`))).toHaveLength(2);
      // The API request, the run, 4 nodes, flaky's 2 requests and slow's second (the killed one never ended).
      await spansOf(traceId, 9);
      await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would have come by now
      const again = await spansOf(traceId, 9);
      expect(again).toHaveLength(9);
      expect(named(again, `run ${name}`)).toHaveLength(1);
      for (const id of ['start', 'flaky', 'slow', 'c']) expect(named(again, `node ${id}`), id).toHaveLength(1);
      const retryEvents = (span: JaegerSpan) =>
        span.logs
          .filter((l) => l.fields.some((f) => f.key === 'event' && f.value === 'retry'))
          .map((l) => Object.fromEntries(l.fields.filter((f) => f.key !== 'event').map((f) => [f.key, f.value])));
      const [flaky] = named(again, 'node flaky');
      expect(tag(flaky!, 'braid.node.attempts')).toBe(2);
      expect(retryEvents(flaky!)).toEqual([{ attempt: 2, 'error.type': 'HttpServerError' }]);
      // In the order they were sent (Jaeger answers spans in no set order).
      const requests = again.filter((s) => parentOf(s) === flaky!.spanID).sort((a, b) => a.startTime - b.startTime);
      expect(requests.map((s) => tag(s, 'http.response.status_code'))).toEqual([503, 200]);
      const [slow] = named(again, 'node slow');
      expect(tag(slow!, 'braid.node.attempts')).toBe(2);
      expect(retryEvents(slow!)).toEqual([{ attempt: 2, 'error.type': 'TimeoutFailure' }]);
      expect(again.filter((s) => parentOf(s) === slow!.spanID)).toHaveLength(1);
      const view = (await (await via.request(`/v1/runs/${encodeURIComponent(runId)}`)).json()) as { nodes: Record<string, { retries?: string[] }> };
      expect(view.nodes.flaky!.retries).toEqual(['HttpServerError']);
      expect(view.nodes.slow!.retries).toEqual(['TimeoutFailure']);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
    }
  }, 180_000);
});
