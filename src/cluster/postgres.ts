/**
 * The cluster's PostgreSQL: Debian's binaries, its data in
 * `$CLUSTER_DIR/postgres` (created by initdb on first start, reused after),
 * listening on loopback only. PostgreSQL refuses to run as root, so when the
 * launcher runs as root the data belongs to the `postgres` user that Debian's
 * package creates, and the server runs as that user.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The newest installed PostgreSQL's bin folder. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)');
  return join(base, newest, 'bin');
}

/** The user PostgreSQL runs as: ourselves, or `postgres` when we are root. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** The cluster's superuser (trust on loopback only; docker-compose.yml sets a password). */
export const POSTGRES_SUPERUSER = 'temporal';

/** Creates the data folder with initdb unless it holds a cluster already. */
export function initPostgres(dir: string): { data: string; socketDir: string } {
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const user = postgresUser();
  for (const d of [dir, socketDir]) {
    mkdirSync(d, { recursive: true });
    if (user) chownSync(d, user.uid, user.gid);
    chmodSync(d, 0o700);
  }
  if (!existsSync(join(data, 'PG_VERSION'))) {
    execFileSync(join(postgresBinDir(), 'initdb'), ['-D', data, '-U', POSTGRES_SUPERUSER, '--auth=trust', '-E', 'UTF8'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ?? {}),
    });
  }
  return { data, socketDir };
}

export function postgresArgs(data: string, socketDir: string, port: number): string[] {
  return ['-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'];
}

export async function waitForPostgres(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (!alive()) throw new Error('PostgreSQL exited');
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer within ${timeoutMs} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates a database (and its owner role) unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string, owner?: { user: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    if (owner) {
      const role = await client.query('select 1 from pg_roles where rolname = $1', [owner.user]);
      if (role.rowCount === 0) await client.query(`create role "${owner.user}" login password '${owner.password.replace(/'/g, "''")}'`);
    }
    const db = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (db.rowCount === 0) await client.query(`create database "${name}"${owner ? ` owner "${owner.user}"` : ''}`);
  } finally {
    await client.end();
  }
}
