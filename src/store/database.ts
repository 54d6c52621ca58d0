/**
 * Braid's own database: saved workflows and their versions. SQLite (a file
 * `braid.db` in DATA_DIR, no set-up) by default, PostgreSQL when DATABASE_URL
 * is set. One Kysely query code path serves both; migrations run at start-up.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Migration, MigrationProvider } from 'kysely';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations';
import type { Database } from './tables';

export type DatabaseKind = 'sqlite' | 'postgres';

export type DatabaseOptions = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface BraidDatabase {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Where it lives, for logs (the URL without its password). */
  location: string;
  close(): Promise<void>;
}

/** SQLite file name inside DATA_DIR. */
export const SQLITE_FILE = 'braid.db';

export function databaseOptions(config: { dataDir: string; databaseUrl?: string }): DatabaseOptions {
  return config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'sqlite', file: `${config.dataDir}/${SQLITE_FILE}` };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

/** Opens the database and brings its schema up to date (or, for tests of a migration, up to `migrateTo`). */
export async function openDatabase(opts: DatabaseOptions, { migrateTo }: { migrateTo?: string } = {}): Promise<BraidDatabase> {
  let db: Kysely<Database>;
  let location: string;
  if (opts.kind === 'sqlite') {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
    const sqlite = new Sqlite(opts.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    location = opts.file;
  } else {
    const pool = new pg.Pool({ connectionString: opts.url, max: 10, connectionTimeoutMillis: 5_000 });
    // A client that loses its connection must not crash the process: an idle one
    // (the pool's 'error'), and one checked out between statements, which pg-pool
    // leaves without a listener (PostgreSQL's FATAL on a restart or a terminated
    // backend is then an unhandled 'error' event: an API replica died of it under
    // chaos). Its query, or the next, fails instead, and the pool drops it on release.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    location = redactUrl(opts.url);
  }
  try {
    await migrate(db, migrateTo);
  } catch (err) {
    await db.destroy();
    throw new Error(`could not prepare the database at ${location}: ${(err as Error).message}`, { cause: err });
  }
  return { kind: opts.kind, db, location, close: () => db.destroy() };
}

const provider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS as Record<string, Migration>,
};

export async function migrate(db: Kysely<Database>, to?: string): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await (to === undefined ? migrator.migrateToLatest() : migrator.migrateTo(to));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}
