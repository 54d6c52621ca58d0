/**
 * Where the pages' sign-in sessions live (src/ui/session.ts): Braid's
 * database, so every API replica behind a load balancer knows a session and
 * a sign-out ends it everywhere. Rows are keyed by the sha256 of the cookie's
 * value and expire; expired rows are swept as new sessions start.
 */
import type { Kysely } from 'kysely';
import type { SessionStore } from '../ui/session';
import type { Database } from './tables';
import { BOOTSTRAP_PRINCIPAL } from '../auth/roles';

export function createPageSessions(db: Kysely<Database>): SessionStore {
  return {
    async put(idHash, expiresAt, principal) {
      await db.deleteFrom('page_sessions').where('expires_at', '<', new Date().toISOString()).execute();
      await db
        .insertInto('page_sessions')
        .values({ id_hash: idHash, expires_at: new Date(expiresAt).toISOString(), principal })
        .execute();
    },
    async principal(idHash) {
      const row = await db.selectFrom('page_sessions').select(['expires_at', 'principal']).where('id_hash', '=', idHash).executeTakeFirst();
      if (row === undefined || row.expires_at <= new Date().toISOString()) return undefined;
      // Sessions from before principals were kept were the token's holder's.
      return row.principal ?? BOOTSTRAP_PRINCIPAL;
    },
    async remove(idHash) {
      await db.deleteFrom('page_sessions').where('id_hash', '=', idHash).execute();
    },
  };
}
