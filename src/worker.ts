/**
 * `npm run worker`: a Braid worker against TEMPORAL_ADDRESS (default: the local
 * dev server). The only place that builds the real activities.
 */
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { Runtime } from '@temporalio/worker';
import { hostLimiterMetrics, reportHostLimits } from './temporal/host-metrics';
import type { PayloadCodecs } from './temporal/warmup';
import { warmUp } from './temporal/warmup';
import { createActivities } from '../activities';
import { createSandboxPool, DEFAULT_SANDBOXES } from './code/sandbox-pool';
import { lazyCredentials } from '../activities/credentials';
import { loadEncryptionKey } from './credentials/cipher';
import { createCredentialStore } from './store/credentials';
import { createHostLimiter } from '../activities/host-limiter';
import { createNodeTypeActivities } from '../activities/node-types';
import { loadNodeTypes } from './node-types';
import { chainCodecs, loadDataConverter } from './codec/data-converter';
import type { Config } from './config';
import { loadConfig, processEnvironment, protectedPortsOf, temporalAddressOf } from './config';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { runMain } from './main';
import { connectWorker } from './temporal/connection';
import { installSdkLogger } from './temporal/runtime';
import { createBraidWorker, FLOW_WORKER_TUNING, WORKER_PROCESS_TUNING } from './temporal/worker';
import { cachedWorkflowBundle } from './temporal/workflow-bundle';
import { startTracing, tracesUrl } from './telemetry/tracing';
import type { BraidDatabase } from './store/database';
import { databaseOptions, openDatabase } from './store/database';
import { createNodeCache } from './store/node-cache';
import { lazyBulkTarget, workerBulkTarget } from './runs/bulk';
import { createAdmitter } from './runs/admission';

export async function startWorker(config: Config, logger: Logger): Promise<{ shutdown: () => void; done: Promise<void> }> {
  const metricsAddress = config.workerMetricsPort === undefined ? undefined : `${config.host}:${config.workerMetricsPort}`;
  installSdkLogger(config.logLevel, logger, metricsAddress);
  if (metricsAddress) logger.info('worker metrics', { url: `http://${metricsAddress}/metrics` });
  const tracing = startTracing(processEnvironment(), 'braid-worker');
  if (tracing) logger.info('tracing on', { endpoint: tracesUrl(processEnvironment()) });
  const nodeTypes = await loadNodeTypes(config.nodeTypesPath);
  if (nodeTypes.size > 0) logger.info('custom node types', { types: [...nodeTypes.keys()], from: config.nodeTypesPath });
  const connection = await connectWorker(temporalAddressOf(config), config.temporalTls);
  const payloadCodecs = loadDataConverter(config)?.payloadCodecs;
  // Braid's database, for nodes with `cache`: opened when the first one runs (a worker without cached nodes never needs it).
  let database: Promise<BraidDatabase> | undefined;
  const openOnce = () =>
    (database ??= openDatabase(databaseOptions(config)).then(
      (d) => (logger.info('node cache database ready', { kind: d.kind, location: d.location }), d),
      (err: unknown) => {
        database = undefined; // the next cached node tries again
        throw err;
      },
    ));
  const hostLimiter = createHostLimiter({
    caps: config.httpHostLimits,
    adaptive: config.httpAdaptiveConcurrency,
    observer: hostLimiterMetrics(Runtime.instance().metricMeter),
  });
  // Started by `npm start` (an IPC channel to the parent): the API there serves the limiter's series on its /metrics.
  const stopReporting = process.send
    ? reportHostLimits(hostLimiter.stats, (report) => {
        if (process.connected) process.send?.(report);
      })
    : undefined;
  const workerClient = new Client({ connection, namespace: config.namespace, dataConverter: loadDataConverter(config) });
  // Bulk operations and buffered triggers' runs use the API's own code, on this worker's connection and Braid's database.
  const runTarget = lazyBulkTarget(async () =>
    workerBulkTarget({
      client: workerClient,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      flowTaskQueue: config.flowTaskQueue,
      temporalUiUrl: config.temporalUiUrl,
      nodeTypes,
      claimCheck: config.payloadStore !== undefined,
      database: (await openOnce()).db,
      env: processEnvironment(),
      activityAllowlist: config.activityAllowlist,
    }),
  );
  const workflowBundle = await cachedWorkflowBundle(join(config.dataDir, 'cache'), logger);
  const activities = {
    ...createNodeTypeActivities(nodeTypes),
    ...createActivities({
      httpAllowlist: config.httpAllowlist,
      protectedPorts: protectedPortsOf(config),
      maxResponseBytes: config.httpMaxResponseBytes,
      codePool: createSandboxPool(config.codeSandboxes ?? DEFAULT_SANDBOXES),
      env: processEnvironment(),
      hostLimiter,
      // Cached outputs go through the same codecs as history: encrypted at rest, large ones claim-checked.
      nodeCache: createNodeCache(() => openOnce().then((d) => d.db), payloadCodecs ? chainCodecs(payloadCodecs) : undefined),
      // Credentials (data.auth): opened here, at each attempt, with the key the API sealed them with.
      credentials: lazyCredentials(() => openOnce().then((d) => createCredentialStore(d.db, loadEncryptionKey(config)))),
      bulk: runTarget,
      // Admission (settings.concurrency, settings.rateLimit) and buffered triggers, in Temporal through this worker's client.
      admission: {
        client: workerClient,
        admitter: createAdmitter({ client: workerClient, taskQueue: config.flowTaskQueue }),
        startBuffered: runTarget.startBuffered,
      },
      // A failing http attempt's error type, left for the next attempt by one heartbeat the server has answered.
      recordAttempt: (taskToken, record) => workerClient.activity.heartbeat(taskToken, record),
    }),
  };
  const common = { connection, workflowBundle, namespace: config.namespace, activities, dataConverter: loadDataConverter(config) };
  const worker = await createBraidWorker({
    ...common,
    taskQueue: config.taskQueue,
    overrides: { ...WORKER_PROCESS_TUNING, ...(config.workerMaxActivities ? { maxConcurrentActivityTaskExecutions: config.workerMaxActivities } : {}) },
  });
  // Admission and trigger-buffer workflows (and the activities they call) on their own queue, slots and thread.
  const flowWorker = await createBraidWorker({ ...common, taskQueue: config.flowTaskQueue, overrides: FLOW_WORKER_TUNING });
  if (config.payloadStore) logger.info('claim check', { store: config.payloadStore.kind === 'file' ? config.payloadStore.dir : config.payloadStore.url });
  logger.info('worker polling', { taskQueue: config.taskQueue, flowTaskQueue: config.flowTaskQueue, address: temporalAddressOf(config) });
  const { shutdown, done } = runTogether([worker, flowWorker], async () => {
    stopReporting?.();
    await tracing?.shutdown().catch(() => undefined);
    await connection.close();
    await database?.then((d) => d.close()).catch(() => undefined);
  });
  // Readiness waits for this (see temporal/warmup.ts); a failure only delays it.
  const client = workerClient;
  const started = Date.now();
  const codecs = { claimCheck: config.payloadStore !== undefined, encrypted: config.encryptionKey !== undefined };
  void warmUpUntilDone(client, config.taskQueue, worker.options.identity, codecs, logger).then(() =>
    logger.info('worker warmed up', { ms: Date.now() - started }),
  );
  return { shutdown, done };
}

/** Runs the workers until one stops (either failing stops both: the process exits, its supervisor starts it again), then cleans up. */
function runTogether(workers: Worker[], cleanUp: () => Promise<void>): { shutdown: () => void; done: Promise<void> } {
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const done = Promise.all(workers.map((w) => w.run().finally(shutdown)))
    .then(() => undefined)
    .finally(cleanUp);
  return { shutdown, done };
}

/**
 * Warms up, trying again while it fails: on a cluster, a namespace created a
 * moment ago reaches every history host's cache seconds later, and a history
 * host that just died leaves its shards unowned until another claims them.
 * Until the warm-up succeeds, /readyz keeps this worker out.
 */
async function warmUpUntilDone(client: Client, taskQueue: string, identity: string, codecs: PayloadCodecs, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await warmUp(client, taskQueue, identity, codecs);
      return;
    } catch (err) {
      logger.warn('worker warm-up failed; trying again', { attempt, err: String(err) });
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
    }
  }
}

if (require.main === module) {
  runMain('worker', async (stopSignal) => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, { component: 'worker' });
    const { shutdown, done } = await startWorker(config, logger);
    await Promise.race([stopSignal.then(shutdown), done]);
    await done;
  });
}
