/**
 * Where the pages' sign-in sessions live (src/ui/session.ts): Braid's
 * database, so every API replica behind a load balancer knows a session and
 * a sign-out ends it everywhere. Rows are keyed by the sha256 of the cookie's
 * value and expire; expired rows are swept as new sessions start.
 */
import type { Kysely } from 'kysely';
import type { SessionStore } from '../ui/session';
import type { Database } from './tables';

export function createPageSessions(db: Kysely<Database>): SessionStore {
  return {
    async put(idHash, expiresAt) {
      await db.deleteFrom('page_sessions').where('expires_at', '<', new Date().toISOString()).execute();
      await db
        .insertInto('page_sessions')
        .values({ id_hash: idHash, expires_at: new Date(expiresAt).toISOString() })
        .execute();
    },
    async valid(idHash) {
      const row = await db.selectFrom('page_sessions').select('expires_at').where('id_hash', '=', idHash).executeTakeFirst();
      return row !== undefined && row.expires_at > new Date().toISOString();
    },
    async remove(idHash) {
      await db.deleteFrom('page_sessions').where('id_hash', '=', idHash).execute();
    },
  };
}
