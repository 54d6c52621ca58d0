/**
 * `npm start`: the embedded default. The API runs in this process and stays
 * up; the Temporal dev server (unless TEMPORAL_ADDRESS points at a cluster)
 * and the worker run as child processes, each supervised (src/supervise.ts):
 * a part that dies is restarted with backoff on the same data while the API
 * answers `/readyz` 503. `npm start` exits non-zero only when it gives up on
 * a part (RESTART_LIMIT failures in a row). Ctrl-C / SIGTERM stop the API,
 * then the worker, then the server.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startApi } from './api';
import { announce, startBanner } from './banner';
import { tracesUrl, tracingConfigured } from './telemetry/tracing';
import { loadConfig, processEnvironment } from './config';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { runMain } from './main';
import type { RunningPart } from './supervise';
import { supervise } from './supervise';
import { startEmbeddedTemporal } from './temporal-server';
import type { Config } from './config';
import type { OriginStats } from '../activities/host-limiter';
import { isHostLimitsReport } from './temporal/host-metrics';

const ROOT = resolve(__dirname, '..');

/** The per-origin limiter's state, as the worker process last reported it (the API's GET /metrics serves it). */
interface HostLimits {
  origins: OriginStats[];
}

/**
 * The worker as its own process (`npm run worker`), so a crash of it leaves
 * the API up. Its IPC channel carries the limiter's state (HostLimitsReport).
 */
function startWorkerProcess(logger: Logger, hostLimits: HostLimits): Promise<RunningPart> {
  // `node --import tsx` rather than the tsx CLI, so the pid is the worker's own.
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    env: processEnvironment(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (message) => {
    if (isHostLimitsReport(message)) hostLimits.origins = message.origins;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      hostLimits.origins = []; // a new worker starts with fresh limits
      r({ code, signal });
    }),
  );
  // Never outlive `npm start`, even when it is killed.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return new Promise((resolveStart, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      logger.info('worker process started', { pid: child.pid });
      resolveStart({
        exited,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

async function startServerPart(config: Config, logger: Logger): Promise<RunningPart> {
  const server = await startEmbeddedTemporal(config, logger);
  logger.info('temporal server process started', { pid: server.process.pid });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) r({ code: server.process.exitCode, signal: server.process.signalCode });
    else server.process.once('exit', (code, signal) => r({ code, signal }));
  });
  return { exited, stop: () => server.stop() };
}

runMain('start', async (stopSignal) => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const common = { maxRestarts: config.restartLimit, initialBackoffMs: config.restartBackoffMs };
  const temporalLogger = logger.child({ component: 'temporal' });
  const server = config.temporalAddress
    ? undefined
    : await supervise({ ...common, name: 'temporal', logger: temporalLogger, start: () => startServerPart(config, temporalLogger) });
  try {
    const workerLogger = logger.child({ component: 'supervisor' });
    const hostLimits: HostLimits = { origins: [] };
    const worker = await supervise({ ...common, name: 'worker', logger: workerLogger, start: () => startWorkerProcess(workerLogger, hostLimits) });
    try {
      const api = await startApi(config, logger.child({ component: 'api' }), { hostLimits: () => hostLimits.origins });
      const env = processEnvironment();
      announce(startBanner(config, `http://${config.host}:${api.port}`, api.apiToken, tracingConfigured(env) ? tracesUrl(env) : undefined));
      try {
        await Promise.race([stopSignal, worker.gaveUp, server?.gaveUp ?? new Promise<never>(() => {})]);
      } finally {
        await api.close();
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await server?.stop();
  }
});
