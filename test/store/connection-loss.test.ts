/**
 * A PostgreSQL connection lost while Braid holds it: PostgreSQL's FATAL for
 * a terminated backend (as on a restart or a failover) reaches a client that
 * is checked out of the pool between two statements of a transaction. The
 * process lives on (before, an unhandled 'error' event killed an API replica
 * under chaos), the transaction fails, and the pool serves the next query on
 * a fresh connection.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let database: BraidDatabase;
let url: string;
beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase('connection_loss');
  database = await openDatabase({ kind: 'postgres', url });
});
afterAll(async () => {
  await database?.close().catch(() => undefined);
  await postgres?.stop();
});

describe('a lost PostgreSQL connection', () => {
  it('fails the transaction that held it, not the process, and the pool goes on', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      let backend!: (pid: number) => void;
      const pid = new Promise<number>((r) => (backend = r));
      let resume!: () => void;
      const held = new Promise<void>((r) => (resume = r));
      const transaction = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        backend(rows[0]!.pid);
        await held; // checked out, between statements
        await sql`select 1`.execute(trx);
      });
      const outcome = transaction.then(
        () => 'committed',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [await pid]);
      await admin.end();
      await new Promise((r) => setTimeout(r, 500)); // the FATAL message arrives while the client is idle
      resume();
      expect(await outcome).not.toBe('committed');
      expect(uncaught).toEqual([]);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
