/**
 * The cluster's PostgreSQL: Debian's binaries, its data in
 * `$CLUSTER_DIR/postgres` (created by initdb on first start, reused after),
 * listening on loopback only. PostgreSQL refuses to run as root, so when the
 * launcher runs as root the data belongs to the `postgres` user that Debian's
 * package creates, and the server runs as that user.
 *
 * Every connection authenticates with a password (scram-sha-256, over TCP
 * and the socket alike); the passwords are generated on first start and kept
 * in `$CLUSTER_DIR/postgres/passwords.json` (0600, the launcher's user).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** The cluster's superuser (Temporal's schema tool and services connect as it). */
export const POSTGRES_SUPERUSER = 'temporal';
/** Braid's own role, owner of its database (docker-compose.yml creates the same). */
export const BRAID_DB_ROLE = 'braid';

/** The cluster's generated database passwords. */
export interface PostgresPasswords {
  /** POSTGRES_SUPERUSER's. */
  superuser: string;
  /** BRAID_DB_ROLE's. */
  braid: string;
}

/** Only scram-sha-256 logins, on loopback and the socket: no `trust`, no `peer`. */
const HBA = [
  "# Written by Braid's cluster launcher (src/cluster/postgres.ts) on every start.",
  'local all all scram-sha-256',
  'host all all 127.0.0.1/32 scram-sha-256',
  '',
].join('\n');

/** The passwords in `<dir>/passwords.json`, generated (0600) on first use. */
export function clusterPasswords(dir: string): PostgresPasswords {
  const file = join(dir, 'passwords.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PostgresPasswords;
  mkdirSync(dir, { recursive: true });
  const generate = () => randomBytes(24).toString('base64url');
  const passwords = { superuser: generate(), braid: generate() };
  writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  return passwords;
}

/**
 * Creates the data folder with initdb unless it holds a cluster already, and
 * makes every login need a password. A folder made before passwords (trust)
 * gets the superuser's password set in single-user mode and the same rules.
 */
export function initPostgres(dir: string): { data: string; socketDir: string; passwords: PostgresPasswords } {
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const user = postgresUser();
  const asPostgres = { stdio: 'pipe' as const, ...(user ?? {}) };
  for (const d of [dir, socketDir]) {
    mkdirSync(d, { recursive: true });
    if (user) chownSync(d, user.uid, user.gid);
    chmodSync(d, 0o700);
  }
  // The launcher's user keeps the passwords; PostgreSQL's user reads one only through initdb's pwfile.
  const passwords = clusterPasswords(dir);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const pwfile = join(dir, 'initdb-password');
    writeFileSync(pwfile, `${passwords.superuser}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      execFileSync(
        join(postgresBinDir(), 'initdb'),
        ['-D', data, '-U', POSTGRES_SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8'],
        asPostgres,
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  } else if (
    readFileSync(join(data, 'pg_hba.conf'), 'utf8')
      .split('\n')
      .some((line) => /^\s*(local|host)\b.*\b(trust|peer)\s*$/.test(line))
  ) {
    // Made before passwords: set the superuser's now, with the server down.
    const sql = `ALTER ROLE "${POSTGRES_SUPERUSER}" PASSWORD '${passwords.superuser.replace(/'/g, "''")}';\n`;
    execFileSync(join(postgresBinDir(), 'postgres'), ['--single', '-D', data, 'postgres'], { ...asPostgres, input: sql });
  }
  writeFileSync(join(data, 'pg_hba.conf'), HBA, { mode: 0o600 });
  if (user) chownSync(join(data, 'pg_hba.conf'), user.uid, user.gid);
  return { data, socketDir, passwords };
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

/** Creates a database (and its owner role) unless it exists; the owner's password is set to `owner.password` every time. */
export async function ensureDatabase(adminUrl: string, name: string, owner?: { user: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    if (owner) {
      const role = await client.query('select 1 from pg_roles where rolname = $1', [owner.user]);
      const password = `'${owner.password.replace(/'/g, "''")}'`;
      await client.query(role.rowCount === 0 ? `create role "${owner.user}" login password ${password}` : `alter role "${owner.user}" password ${password}`);
    }
    const db = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (db.rowCount === 0) await client.query(`create database "${name}"${owner ? ` owner "${owner.user}"` : ''}`);
  } finally {
    await client.end();
  }
}
