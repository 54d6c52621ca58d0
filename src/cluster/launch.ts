/**
 * Starts Braid's production topology on one machine (`npm run cluster`):
 * PostgreSQL; the Temporal server as five processes (two history hosts,
 * matching, frontend, the worker service) on a template config and the
 * dynamic config that docker-compose.yml mounts; the Temporal Web UI; two
 * Braid workers and two Braid APIs sharing one database and one payload
 * store. Each part is supervised as `npm start` supervises its own: a part
 * that dies is started again on the same data.
 *
 * Order matters once: on an empty database the first Temporal process writes
 * the cluster metadata, and processes started together race on that write
 * (one exits with "SaveClusterMetadata encountered version mismatch"). So a
 * history host starts alone first, then the other Temporal processes.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Supervised } from '../supervise';
import { supervise } from '../supervise';
import { PROJECT_ROOT } from '../temporal/binaries';
import { waitForTemporal } from '../temporal/dev-server';
import { portOpen } from '../temporal/free-port';
import type { ClusterBinaries } from './build';
import { startPartProcess } from './process';
import { BRAID_DB_ROLE, POSTGRES_SUPERUSER, initPostgres, postgresArgs, postgresBinDir, postgresUser, waitForPostgres } from './postgres';
import type { ClusterCerts } from './certs';
import { TEMPORAL_SERVER_NAME, clientTlsFiles, ensureClusterCerts } from './certs';
import type { TemporalTlsFiles } from '../config';
import { temporalTlsConfig } from '../temporal/connection';
import { TEMPORAL_UI_PATH } from '../ui/temporal-ui';
import type { BRAID_PARTS, ClusterPart, ClusterPorts, TemporalService } from './topology';
import { CLUSTER_PARTS, DATABASES, TEMPORAL_ROLE, TEMPORAL_SERVICES, temporalServiceEnv } from './topology';
import { choosePorts, postgresUrl, prepareDatabases, prepareNamespace, readyz, waitFor } from './prepare';
import { ensureApiToken } from '../api-token';
import { processEnvironment, toolPath } from '../config';

export const SERVER_CONFIG_PATH = join(PROJECT_ROOT, 'src', 'cluster', 'temporal-server.yaml');
export const DYNAMIC_CONFIG_PATH = join(PROJECT_ROOT, 'src', 'temporal', 'dynamic-config.yaml');

export interface ClusterOptions {
  /** `$CLUSTER_DIR`: PostgreSQL's data, pid files, logs, payloads. */
  dir: string;
  /** Braid's configuration (PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, TASK_QUEUE, RESTART_*). */
  config: Config;
  binaries: ClusterBinaries;
  logger: Logger;
  /** CLUSTER_POSTGRES_PORT; a free port when unset. */
  postgresPort?: number;
  /** The environment handed to Braid's processes (this process's, from the configuration module, by default). */
  env?: Record<string, string | undefined>;
}

export interface RunningCluster {
  dir: string;
  runDir: string;
  logDir: string;
  ports: ClusterPorts;
  temporalAddress: string;
  apis: [string, string];
  /** The Web UI as people reach it: behind the first API's sign-in. */
  uiUrl: string;
  databaseUrl: string;
  /** Rejects when a part keeps failing and its supervisor gives up. */
  gaveUp: Promise<never>;
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const { config, logger, binaries } = opts;
  const dir = resolve(opts.dir);
  const runDir = join(dir, 'run');
  const logDir = join(dir, 'logs');
  mkdirSync(runDir, { recursive: true });
  // PostgreSQL runs as its own user when we are root: it must reach its folder.
  if (postgresUser()) chmodSync(dir, 0o711);
  const ports = await choosePorts(config, opts.postgresPort);
  // Every port, for ops scripts and tests.
  writeFileSync(join(runDir, 'ports.json'), `${JSON.stringify(ports, null, 2)}\n`);
  const certs = await ensureClusterCerts(join(dir, 'tls'));
  const temporalTls = clientTlsFiles(certs);
  const postgres = initPostgres(join(dir, 'postgres'));
  const temporalAddress = `127.0.0.1:${ports.frontendGrpc}`;
  const apis: [string, string] = [`http://127.0.0.1:${ports.api[0]}`, `http://127.0.0.1:${ports.api[1]}`];
  const uiUpstream = `http://127.0.0.1:${ports.ui}`;
  const uiUrl = (opts.env ?? processEnvironment()).TEMPORAL_UI_URL || `${apis[0]}${TEMPORAL_UI_PATH}`;
  const databaseUrl = postgresUrl(BRAID_DB_ROLE, postgres.passwords.braid, ports.postgres, DATABASES.braid);
  const common = { maxRestarts: config.restartLimit, initialBackoffMs: config.restartBackoffMs };
  const supervised = new Map<ClusterPart, Supervised>();
  const partBase = { cwd: PROJECT_ROOT, runDir, logDir };
  const baseEnv = opts.env ?? processEnvironment();

  const keep = async (name: ClusterPart, start: () => ReturnType<typeof startPartProcess>) => {
    const partLogger = logger.child({ part: name });
    const s = await supervise({ ...common, name, logger: partLogger, start, onStart: (n) => n > 0 && partLogger.info('part is back', { restarts: n }) });
    supervised.set(name, s);
  };

  const stop = async () => {
    // Braid first (APIs, then workers), then the UI and Temporal, PostgreSQL last.
    for (const name of [...CLUSTER_PARTS].reverse()) {
      const s = supervised.get(name);
      if (!s) continue;
      await s.stop().catch((err: unknown) => logger.warn('part did not stop cleanly', { part: name, err: String(err) }));
      supervised.delete(name);
    }
  };

  const parts: Parts = {
    dir,
    ports,
    partBase,
    keep,
    config,
    binaries,
    logger,
    temporalAddress,
    temporalTls,
    certs,
    postgres,
    apis,
    uiUrl,
    uiUpstream,
    databaseUrl,
    baseEnv,
  };
  try {
    await startPostgres(parts);
    await startTemporal(parts);
    await startWebUi(parts);
    await startBraid(parts);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    dir,
    runDir,
    logDir,
    ports,
    temporalAddress,
    apis,
    uiUrl,
    databaseUrl,
    gaveUp: Promise.race([...supervised.values()].map((s) => s.gaveUp)),
    stop,
  };
}

/** What starting each group of parts needs. */
interface Parts {
  dir: string;
  ports: ClusterPorts;
  partBase: { cwd: string; runDir: string; logDir: string };
  /** Starts a part under supervision. */
  keep(name: ClusterPart, start: () => ReturnType<typeof startPartProcess>): Promise<void>;
  config: ClusterOptions['config'];
  binaries: ClusterOptions['binaries'];
  logger: ClusterOptions['logger'];
  temporalAddress: string;
  temporalTls: TemporalTlsFiles;
  certs: ClusterCerts;
  postgres: ReturnType<typeof initPostgres>;
  apis: [string, string];
  uiUrl: string;
  uiUpstream: string;
  databaseUrl: string;
  baseEnv: NodeJS.ProcessEnv;
}

/** PostgreSQL in its own folder, then Temporal's and Braid's databases and schemas. */
async function startPostgres({ ports, partBase, keep, binaries, logger, postgres: pg }: Parts): Promise<void> {
  const adminUrl = postgresUrl(POSTGRES_SUPERUSER, pg.passwords.superuser, ports.postgres, 'postgres');
  await keep('postgres', () =>
    startPartProcess({
      ...partBase,
      name: 'postgres',
      command: join(postgresBinDir(), 'postgres'),
      args: postgresArgs(pg.data, pg.socketDir, ports.postgres),
      env: { PATH: toolPath(), LANG: 'C.UTF-8' },
      user: postgresUser(),
      stopSignal: 'SIGINT', // fast shutdown
      ready: (alive) => waitForPostgres(adminUrl, 60_000, alive),
    }),
  );
  await prepareDatabases(binaries['temporal-sql-tool'], ports, adminUrl, pg.passwords, logger);
}

/** Temporal's services: one history host alone first (cluster metadata), then the rest; then the namespace. */
async function startTemporal({ ports, partBase, keep, config, binaries, logger, temporalAddress, temporalTls, certs, postgres }: Parts): Promise<void> {
  const db = { host: '127.0.0.1', user: POSTGRES_SUPERUSER, password: postgres.passwords.superuser };
  const startService = (service: TemporalService) =>
    keep(service, () =>
      startPartProcess({
        ...partBase,
        name: service,
        command: binaries['temporal-server'],
        args: ['--config-file', SERVER_CONFIG_PATH, '--allow-no-auth', 'start', '--service', TEMPORAL_ROLE[service]],
        env: { PATH: toolPath(), LOG_LEVEL: 'warn', ...temporalServiceEnv(service, ports, db, DYNAMIC_CONFIG_PATH, certs.dir) },
        ready: (alive) =>
          service === 'temporal-frontend'
            ? waitForTemporal(temporalAddress, 90_000, alive, temporalTlsConfig(temporalTls))
            : waitFor(`${service} listens`, () => portOpen(ports.grpc[service as Exclude<TemporalService, 'temporal-frontend'>]), alive, 90_000),
      }),
    );
  await startService(TEMPORAL_SERVICES[0]);
  await Promise.all(TEMPORAL_SERVICES.slice(1).map(startService));
  await prepareNamespace(temporalAddress, temporalTls, config.namespace, logger);
}

/**
 * Temporal's Web UI on loopback, served to people by the APIs at /temporal
 * behind their sign-in; it reaches the frontend with its own client
 * certificate. The codec endpoint is the first API's when payloads are encrypted.
 */
async function startWebUi({ dir, ports, partBase, keep, config, binaries, temporalAddress, certs, apis }: Parts): Promise<void> {
  const uiConfigDir = join(dir, 'ui');
  mkdirSync(uiConfigDir, { recursive: true });
  writeFileSync(
    join(uiConfigDir, 'cluster.yaml'),
    [
      `temporalGrpcAddress: ${temporalAddress}`,
      `host: 127.0.0.1`,
      `port: ${ports.ui}`,
      `publicPath: ${TEMPORAL_UI_PATH}`,
      'tls:',
      `  caFile: ${certs.ca}`,
      `  certFile: ${certs.clients['temporal-ui'].cert}`,
      `  keyFile: ${certs.clients['temporal-ui'].key}`,
      `  serverName: ${TEMPORAL_SERVER_NAME}`,
      '  enableHostVerification: true',
      'enableUi: true',
      `defaultNamespace: ${config.namespace}`,
      'disableNewsFetch: true',
      'cors:',
      '  allowOrigins:',
      `    - http://127.0.0.1:${ports.api[0]}`,
      `    - http://127.0.0.1:${ports.api[1]}`,
      // People reach it over the APIs' plain HTTP on loopback: its CSRF cookie cannot be Secure-only.
      '  cookieInsecure: true',
      ...(config.encryptionKey ? ['codec:', `  endpoint: ${apis[0]}/codec`, '  includeCredentials: true'] : []),
      '',
    ].join('\n'),
  );
  await keep('temporal-ui', () =>
    startPartProcess({
      ...partBase,
      name: 'temporal-ui',
      command: binaries['temporal-ui-server'],
      args: ['--root', dir, '--config', 'ui', '--env', 'cluster', 'start'],
      env: { PATH: toolPath() },
      ready: (alive) => waitFor('the Web UI listens', () => portOpen(ports.ui), alive, 30_000),
    }),
  );
}

/** Braid: two workers, two APIs, one database, one payload store; done when both APIs are ready. */
async function startBraid({
  dir,
  ports,
  partBase,
  keep,
  config,
  temporalAddress,
  temporalTls,
  apis,
  uiUrl,
  uiUpstream,
  databaseUrl,
  baseEnv,
}: Parts): Promise<void> {
  const braidEnv = (extra: Record<string, string>) => {
    const env: Record<string, string | undefined> = {
      ...baseEnv,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: config.namespace,
      TEMPORAL_TLS_CA: temporalTls.ca,
      TEMPORAL_TLS_CERT: temporalTls.cert,
      TEMPORAL_TLS_KEY: temporalTls.key,
      TEMPORAL_TLS_SERVER_NAME: temporalTls.serverName,
      TEMPORAL_UI_URL: uiUrl,
      TEMPORAL_UI_UPSTREAM: uiUpstream,
      DATABASE_URL: databaseUrl,
      PAYLOAD_STORE: baseEnv.PAYLOAD_STORE ?? `file://${join(dir, 'payloads')}`,
      // One credential for both APIs behind the balancer: API_TOKEN, or one kept in the cluster's folder.
      API_TOKEN: ensureApiToken(baseEnv.API_TOKEN, dir).token,
      ...extra,
    };
    delete env.WORKER_METRICS_PORT; // two workers on one host cannot share a port
    return env;
  };
  const braid = (name: (typeof BRAID_PARTS)[number], entry: string, extra: Record<string, string>, ready: (alive: () => boolean) => Promise<void>) =>
    keep(name, () =>
      startPartProcess({
        ...partBase,
        name,
        command: process.execPath,
        args: ['--import', 'tsx', join(PROJECT_ROOT, 'src', entry)],
        env: braidEnv(extra),
        ready,
      }),
    );
  const listening = (port: number) => (alive: () => boolean) => waitFor(`port ${port} listens`, () => portOpen(port), alive, 60_000);
  const workerUp = async () => {}; // a worker is ready when it polls; the APIs' /readyz checks that
  await Promise.all([braid('braid-worker-1', 'worker.ts', {}, workerUp), braid('braid-worker-2', 'worker.ts', {}, workerUp)]);
  await Promise.all([
    braid('braid-api-1', 'api.ts', { PORT: String(ports.api[0]) }, listening(ports.api[0])),
    braid('braid-api-2', 'api.ts', { PORT: String(ports.api[1]) }, listening(ports.api[1])),
  ]);
  for (const api of apis)
    await waitFor(
      `${api}/readyz answers 200`,
      () => readyz(api),
      () => true,
      120_000,
    );
}
