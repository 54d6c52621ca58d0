/**
 * Traces against a real Jaeger (built from its Go module, src/telemetry/jaeger.ts):
 * a run started with a caller's `traceparent` is one tree under the caller —
 * the API request, the run, one span per node, one client span per HTTP
 * request — and the target saw each client span's context; a run without
 * one has one root; a worker that replays a run after another stopped
 * reports no span twice.
 */
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
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

interface JaegerSpan {
  spanID: string;
  operationName: string;
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

beforeAll(async () => {
  // Built by .ci/run before the tests; a clone without it builds it here (minutes).
  const binary = await ensureJaeger(silentLogger);
  jaeger = await startJaeger(binary, { otlpHttp: await freePort(), query: await freePort(), queryGrpc: await freePort() });
  tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint }, 'braid-test')!;
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: {
      namespace: 'default',
      taskQueue,
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 0,
      otelTraceUrl: 'http://jaeger.local/trace/{traceId}',
    },
    logger: silentLogger,
    watchIntervalMs: 50,
  });
}, 20 * 60_000);

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await tracing?.shutdown();
  await Promise.all([env?.teardown(), target?.close(), jaeger?.stop()]);
});

async function startRun(workflow: unknown, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.request('/v1/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ workflow }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

async function finished(runId: string): Promise<string> {
  return eventually(async () => {
    const body = (await (await app.request(`/v1/runs/${encodeURIComponent(runId)}`)).json()) as { status: string };
    return body.status === 'running' ? undefined : body.status;
  }, 60_000);
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
});
