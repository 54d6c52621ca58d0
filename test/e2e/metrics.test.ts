/**
 * GET /metrics on the real API, a real dev server and worker, parsed with a
 * Prometheus text parser: request latency, open streams, runs started and
 * finished (including one started around the API), node times by type.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { runCreatedSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import { freePort } from '../../src/temporal/free-port';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerDone: Promise<void>;
let target: HttpTarget;
let app: ReturnType<typeof createApp>;
const taskQueue = uniqueId('metrics-tq');

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
  app = createApp({
    client: env.client,
    config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://ui', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0, apiToken: 'm' },
    logger: silentLogger,
  });
});
afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), target?.close()]);
});

const auth = { authorization: 'Bearer m' };
let lastText = '';
const scrape = async (): Promise<Map<string, Family>> => {
  const res = await app.request('/metrics', { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  lastText = await res.text();
  const families = parsePrometheusTextFormat(lastText) as Family[];
  return new Map(families.map((f) => [f.name, f]));
};
/**
 * A histogram's `_count` and `_sum` per label set. (parse-prometheus-text-format
 * keeps only the buckets of a histogram that has labels besides `le`.)
 */
const histogram = (name: string) =>
  [...lastText.matchAll(new RegExp(`^${name}_count\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    const sum = new RegExp(`^${name}_sum\\{${m[1]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(lastText)?.[1];
    return { labels, count: Number(m[2]), sum: Number(sum) };
  });
const value = (f: Family | undefined, labels: Record<string, string>) =>
  Number(f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);

describe('GET /metrics', () => {
  it('needs the API token when one is set', async () => {
    expect((await app.request('/metrics')).status).toBe(401);
  });

  it('counts runs started and finished by workflow and status (ad-hoc graphs under one label), and node times by type and execution', async () => {
    const def = graph('metered').trigger().http('call', `${target.url}/delay/50`).set('done', 1).chain('start', 'call', 'done').build();
    const res = await app.request('/v1/runs', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: def }),
    });
    const { runId } = runCreatedSchema.parse(await res.json());
    // A run started around the API (another client) still counts once it has finished.
    const failing = graph('metered-around').trigger().http('boom', `${target.url}/status/404`).edge('start', 'boom').build();
    await env.client.workflow.start('graphWorkflow', { taskQueue, workflowId: uniqueId('around'), args: [{ definition: failing }] });
    await env.client.workflow.getHandle(runId).result();

    const m = await eventually(async () => {
      const fam = await scrape();
      return value(fam.get('braid_runs_finished_total'), { workflow: 'adhoc', status: 'failed' }) >= 1 &&
        value(fam.get('braid_runs_finished_total'), { workflow: 'adhoc', status: 'succeeded' }) >= 1
        ? fam
        : undefined;
    });
    // A graph posted with its run names itself: its name is no label value (anyone could mint millions).
    expect(value(m.get('braid_runs_started_total'), { workflow: 'adhoc', trigger: 'manual' })).toBeGreaterThanOrEqual(1);
    expect(lastText).not.toContain('workflow="metered');
    expect(m.get('braid_node_run_seconds')!.type).toBe('HISTOGRAM');
    const httpRuns = histogram('braid_node_run_seconds').find((x) => x.labels.type === 'http' && x.labels.execution === 'activity')!;
    expect(httpRuns.count).toBeGreaterThanOrEqual(1);
    expect(httpRuns.sum).toBeGreaterThan(0.04);
    expect(histogram('braid_node_run_seconds').some((x) => x.labels.type === 'set' && x.labels.execution === 'workflow')).toBe(true);
    expect(histogram('braid_node_queued_seconds').some((x) => x.labels.type === 'http')).toBe(true);
    // Scraping again counts nothing twice.
    const succeeded = value(m.get('braid_runs_finished_total'), { workflow: 'adhoc', status: 'succeeded' });
    const again = await scrape();
    expect(value(again.get('braid_runs_finished_total'), { workflow: 'adhoc', status: 'succeeded' })).toBe(succeeded);
  });

  it('times requests by route and status, and counts open event streams', async () => {
    await app.request('/v1/runs/does-not-exist', { headers: auth });
    const stream = await app.request(`/v1/runs/${(await startSlow()).runId}/events`, { headers: auth });
    const m = await scrape();
    const latency = histogram('braid_api_request_duration_seconds');
    expect(latency.some((x) => x.labels.route === '/v1/runs/:runId' && x.labels.status === '404')).toBe(true);
    expect(latency.some((x) => x.labels.route === '/v1/runs' && x.labels.method === 'POST' && x.labels.status === '201')).toBe(true);
    expect(value(m.get('braid_sse_connections'), {})).toBe(1);
    await stream.body?.cancel();
    await eventually(async () => (value((await scrape()).get('braid_sse_connections'), {}) === 0 ? true : undefined));
  });

  it("shows what the API process itself costs (prom-client's process series)", async () => {
    const m = await scrape();
    expect(value(m.get('process_cpu_seconds_total'), {})).toBeGreaterThan(0);
    expect(value(m.get('nodejs_eventloop_lag_seconds'), {})).toBeGreaterThanOrEqual(0);
  });
});

async function startSlow() {
  const def = graph('slow-metered').trigger().node('pause', 'delay', { duration: '1h' }).edge('start', 'pause').build();
  const res = await app.request('/v1/runs', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ workflow: def }),
  });
  return runCreatedSchema.parse(await res.json());
}

describe('worker metrics (WORKER_METRICS_PORT)', () => {
  it("serves the Temporal SDK's own metrics in Prometheus format", async () => {
    const port = await freePort();
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/worker.ts'], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: uniqueId('metrics-worker'), WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      const text = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
          const body = res?.ok ? await res.text() : '';
          return /^temporal_\w+/m.test(body) ? body : undefined;
        },
        60_000,
        250,
      );
      const families = parsePrometheusTextFormat(text) as Family[];
      // The SDK's client counts its requests to the server from the start.
      expect(families.map((f) => f.name)).toContain('temporal_request');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it("serves each target origin's limit, in-flight count, 429s and waits", async () => {
    const port = await freePort();
    const taskQueue = uniqueId('host-metrics-worker');
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/worker.ts'], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: String(port),
        LOG_LEVEL: 'warn',
        HTTP_ALLOWLIST: '127.0.0.1',
        HTTP_HOST_LIMITS: '127.0.0.1=2',
      },
      stdio: 'ignore',
    });
    try {
      // Four requests to a service that takes one at a time, through a cap of 2: one waits, one meets a 429.
      const g = graph('host-metered').trigger();
      for (let i = 0; i < 4; i++)
        g.http(`n${i}`, `${target.url}/limited/1/100?i=${i}`, { retry: { maximumAttempts: 20, initialInterval: '100ms', maximumInterval: '200ms' } }).edge(
          'start',
          `n${i}`,
        );
      const handle = await env.client.workflow.start('graphWorkflow', { taskQueue, workflowId: uniqueId('host-metered'), args: [{ definition: g.build() }] });
      expect(((await handle.result()) as { status: string }).status).toBe('succeeded');
      const origin = new URL(target.url).origin;
      const families = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
          const all = parsePrometheusTextFormat(res?.ok ? await res.text() : '') as Family[];
          return all.some((f) => f.name.startsWith('braid_http_host_429')) ? all : undefined;
        },
        30_000,
        250,
      );
      const sample = (prefix: string) => {
        const f = families.find((x) => x.name.startsWith(prefix));
        return Number(f?.metrics.find((m) => m.labels?.origin === origin)?.value);
      };
      expect(sample('braid_http_host_limit')).toBeGreaterThanOrEqual(1);
      expect(sample('braid_http_host_limit')).toBeLessThanOrEqual(2);
      expect(sample('braid_http_host_in_flight')).toBe(0);
      expect(sample('braid_http_host_429')).toBe(target.requests.filter((r) => r.status === 429 && r.path.includes('/limited/1/')).length);
      expect(sample('braid_http_host_429')).toBeGreaterThanOrEqual(1);
      expect(sample('braid_http_host_waits')).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
