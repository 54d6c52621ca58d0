/** What the cluster launcher waits for and prepares before its parts start: ports, databases, the namespace. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { SEARCH_ATTRIBUTES } from '../graph/run-state';
import { freePortInRange } from '../temporal/free-port';
import { BRAID_DB_ROLE, POSTGRES_SUPERUSER, ensureDatabase } from './postgres';
import type { PostgresPasswords } from './postgres';
import type { TemporalTlsFiles } from '../config';
import { temporalTlsConfig } from '../temporal/connection';
import type { ClusterPorts } from './topology';
import { DATABASES, NAMESPACE_RETENTION_DAYS } from './topology';
import { toolPath } from '../config';

const run = promisify(execFile);

export async function waitFor(what: string, check: () => Promise<boolean>, alive: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (!alive()) throw new Error(`exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function readyz(url: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  return res?.status === 200;
}

export async function choosePorts(config: Config, postgresPort?: number): Promise<ClusterPorts> {
  // Temporal's ports stay under 32768 (see freePortInRange).
  const taken = new Set([config.temporalPort, config.temporalUiPort, config.port, config.port + 1]);
  const free = () => freePortInRange(20_000, 32_767, taken);
  return {
    postgres: postgresPort ?? (await free()),
    frontendGrpc: config.temporalPort,
    frontendHttp: await free(),
    ui: config.temporalUiPort,
    api: [config.port, config.port + 1],
    grpc: { 'temporal-history-1': await free(), 'temporal-history-2': await free(), 'temporal-matching': await free(), 'temporal-worker': await free() },
    membership: {
      'temporal-history-1': await free(),
      'temporal-history-2': await free(),
      'temporal-matching': await free(),
      'temporal-frontend': await free(),
      'temporal-worker': await free(),
    },
  };
}

/** Creates the databases and brings Temporal's schemas up to date (idempotent: every start runs it). */
export async function prepareDatabases(sqlTool: string, ports: ClusterPorts, admin: string, passwords: PostgresPasswords, logger: Logger): Promise<void> {
  await ensureDatabase(admin, DATABASES.temporal);
  await ensureDatabase(admin, DATABASES.visibility);
  await ensureDatabase(admin, DATABASES.braid, { user: BRAID_DB_ROLE, password: passwords.braid });
  const common = ['--plugin', 'postgres12_pgx', '--ep', '127.0.0.1', '-p', String(ports.postgres), '-u', POSTGRES_SUPERUSER];
  // The password in the environment (SQL_PASSWORD), not in the arguments every local user can list.
  const env = { PATH: toolPath(), SQL_PASSWORD: passwords.superuser };
  for (const [db, schema] of [
    [DATABASES.temporal, 'postgresql/v12/temporal'],
    [DATABASES.visibility, 'postgresql/v12/visibility'],
  ] as const) {
    await run(sqlTool, [...common, '--db', db, 'setup-schema', '-v', '0.0'], { env });
    await run(sqlTool, [...common, '--db', db, 'update-schema', '--schema-name', schema], { env });
  }
  logger.info('temporal schemas up to date', { databases: [DATABASES.temporal, DATABASES.visibility] });
}

export function postgresUrl(user: string, password: string, port: number, db: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
}

/** The `default` namespace (or TEMPORAL_NAMESPACE) and Braid's search attributes, created unless present. */
export async function prepareNamespace(address: string, tls: TemporalTlsFiles, namespace: string, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address, tls: temporalTlsConfig(tls) });
  try {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${NAMESPACE_RETENTION_DAYS} days`),
      });
      logger.info('namespace created', { namespace, retentionDays: NAMESPACE_RETENTION_DAYS });
    } catch (err) {
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const existing = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = SEARCH_ATTRIBUTES.filter((name) => existing.customAttributes?.[name] === undefined);
        if (missing.length === 0) break;
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
        });
        logger.info('search attributes created', { namespace, names: missing });
      } catch (err) {
        // A namespace just created reaches every service's cache within seconds.
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
