/**
 * `npm start`: the embedded default, one process tree. A Temporal dev server
 * (unless TEMPORAL_ADDRESS points at a cluster), a worker and the API.
 * Ctrl-C / SIGTERM stop the API, then the worker, then the server.
 */
import { startApi } from './api';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { runMain } from './main';
import { startEmbeddedTemporal } from './temporal-server';
import { startWorker } from './worker';

runMain('start', async (stopSignal) => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = config.temporalAddress ? undefined : await startEmbeddedTemporal(config, logger.child({ component: 'temporal' }));
  try {
    const { worker, done } = await startWorker(config, logger.child({ component: 'worker' }));
    const api = await startApi(config, logger.child({ component: 'api' }));
    logger.info('braid is up', {
      api: `http://${config.host}:${api.port}`,
      temporalUi: server?.uiUrl ?? config.temporalUiUrl,
    });
    const serverExit = server ? new Promise<void>((r) => server.process.once('exit', () => r())) : new Promise<void>(() => undefined);
    await Promise.race([stopSignal, done, serverExit]);
    await api.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await done.catch((err: unknown) => logger.warn('worker stopped with an error', { err: String(err) }));
  } finally {
    await server?.stop();
  }
});
