/**
 * The hand-written baselines' worker, as its own process beside `npm start`
 * (bench/default-stack.ts): the same SDK settings as Braid's worker process
 * (WORKER_TUNING, WORKER_PROCESS_TUNING), the hand-written workflows of
 * bench/workflows.ts, Braid's activities. Its own process, so its CPU is
 * counted apart from the bench's clients. Prints `ready` once it polls.
 *
 *   node --import tsx bench/hand-worker.ts <temporal address> <task queue>
 *
 * BENCH_TEMPORAL_TLS (JSON of ca, cert and key file paths) connects with the
 * cluster frontend's client certificate.
 */
import { resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { TemporalTlsFiles } from '../src/config';
import { connectWorker } from '../src/temporal/connection';
import { createBraidWorker, WORKER_PROCESS_TUNING, WORKFLOW_PRELOAD_MODULES } from '../src/temporal/worker';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: hand-worker.ts <temporal address> <task queue>');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const tls = process.env.BENCH_TEMPORAL_TLS ? (JSON.parse(process.env.BENCH_TEMPORAL_TLS) as TemporalTlsFiles) : undefined;
  const connection = await connectWorker(address, tls);
  const worker = await createBraidWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
    overrides: {
      ...WORKER_PROCESS_TUNING,
      workflowsPath: resolve(__dirname, 'workflows.ts'),
      bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] },
    },
  });
  const done = worker.run();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => worker.shutdown());
  await done;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`hand worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
