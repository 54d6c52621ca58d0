/** `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS (default: the local dev server). */
import { startTracing, tracesUrl } from './telemetry/tracing';
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp, createAppServices } from './api/app';
import type { AppDeps } from './api/types';
import { warmApi } from './api/warm';
import { catalogWithCustom } from './graph/nodes';
import { withSourceChecks } from './code/compile';
import type { Config } from './config';
import { loadConfig, processEnvironment, temporalAddressOf } from './config';
import { ensureApiToken } from './api-token';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { chainCodecs, loadDataConverter } from './codec/data-converter';
import { createApiClient, ensureSearchAttributes } from './temporal/connection';
import { runMain } from './main';
import { loadNodeTypes } from './node-types';
import { databaseOptions, openDatabase } from './store/database';
import { createCountedRuns } from './store/counted-runs';
import { createNodeDurations } from './store/node-durations';
import { createWorkflowRepository } from './store/workflow-repository';
import { createAuditLog } from './store/audit-log';
import { createCredentialStore } from './store/credentials';
import { createKeyStore } from './store/keys';
import { createProjectStore } from './store/projects';
import { loadEncryptionKey } from './credentials/cipher';
import { createPageSessions } from './store/page-sessions';
import { createUsedSignatures } from './store/used-signatures';

/** How long requests in flight (and event streams) get to finish when the API stops. */
const SHUTDOWN_GRACE_MS = 5_000;

export async function startApi(given: Config, logger: Logger, extras: Pick<AppDeps, 'hostLimits'> = {}) {
  // Never without a credential: API_TOKEN, or one kept in DATA_DIR (made on first start).
  const credential = ensureApiToken(given.apiToken, given.dataDir);
  if (credential.from !== 'env') logger.info(credential.from === 'generated' ? 'api token generated' : 'api token read', { file: credential.path });
  const config: Config = { ...given, apiToken: credential.token };
  const tracing = startTracing(processEnvironment(), 'braid-api');
  if (tracing) logger.info('tracing on', { endpoint: tracesUrl(processEnvironment()) });
  const dataConverter = loadDataConverter(config);
  const client = createApiClient(temporalAddressOf(config), config.namespace, dataConverter, config.temporalTls);
  void ensureSearchAttributes(client, config.namespace, logger);
  const database = await openDatabase(databaseOptions(config));
  logger.info('database ready', { kind: database.kind, location: database.location });
  const repository = createWorkflowRepository(database.db);
  const nodeTypes = await loadNodeTypes(config.nodeTypesPath);
  const background = new AbortController();
  const deps: AppDeps = {
    client,
    config,
    logger,
    repository,
    sessions: createPageSessions(database.db),
    usedSignatures: createUsedSignatures(database.db),
    countedRuns: createCountedRuns(database.db),
    auditLog: createAuditLog(database.db),
    keys: createKeyStore(database.db),
    projects: createProjectStore(database.db),
    credentials: createCredentialStore(database.db, loadEncryptionKey(config)),
    nodeDurations: createNodeDurations(database.db),
    nodeTypes,
    hostLimits: extras.hostLimits,
    claimCheck: config.payloadStore !== undefined,
    codec: config.encryptionKey && dataConverter?.payloadCodecs ? chainCodecs(dataConverter.payloadCodecs) : undefined,
  };
  // The composition root: the services, their background loop, then the routes over them.
  const services = createAppServices(deps);
  // Error workflows (settings.onFailure): a look every 2 s for runs that failed, timed out or were terminated.
  services.watchErrorWorkflows(2_000, background.signal);
  const app = createApp(deps, services);
  await warmApi(client, withSourceChecks(catalogWithCustom(nodeTypes.values())));
  // TRACE and CONNECT never reach the app (a Request cannot even carry them): 405 at the socket.
  const server = serve({
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    createServer: ((options: object, listener: RequestListener) =>
      createServer(options, (req, res) => {
        if (req.method === 'TRACE' || req.method === 'CONNECT') {
          res.writeHead(405, { allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS', 'content-type': 'application/problem+json' });
          res.end(JSON.stringify({ type: '/problems/method-not-allowed', title: 'Method not allowed', status: 405, detail: `${req.method} is not allowed` }));
          return;
        }
        listener(req, res);
      })) as unknown as typeof createServer,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('api listening', { url: `http://${config.host}:${port}`, docs: `http://${config.host}:${port}/docs` });
  return {
    port,
    /** The API's credential (for the sign-in link a person is shown). */
    apiToken: credential.token,
    async close() {
      // Stop accepting, drop kept-alive idle connections at once (a client
      // polling /readyz must not hold shutdown up), and cut the rest (open
      // event streams, slow requests) after a grace time.
      background.abort();
      const http = server as Server;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const cut = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(cut);
      await client.connection.close();
      await database.close();
      await tracing?.shutdown().catch(() => undefined);
    },
  };
}

if (require.main === module) {
  runMain('api', async (stopSignal) => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, { component: 'api' });
    const api = await startApi(config, logger);
    await stopSignal;
    await api.close();
  });
}
