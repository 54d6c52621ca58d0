/**
 * Webhook signatures already used (Braid's scheme is single-use within its
 * 5-minute window), kept in Braid's database so every API replica behind a
 * load balancer refuses a delivery another replica took: a captured delivery
 * cannot be replayed once per replica. Rows hold the sha256 of the
 * signature's replay key and when it was first seen; rows older than twice
 * the window are swept at most once a minute.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SIGNATURE_TOLERANCE_S, type UsedSignatures } from '../api/webhook-verify';
import type { Database } from './tables';

export function createUsedSignatures(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): UsedSignatures {
  let lastSweepS = 0;
  return {
    async firstUse(key, nowS) {
      const db = await dbOrPromise;
      if (nowS - lastSweepS >= 60) {
        lastSweepS = nowS;
        await db
          .deleteFrom('used_signatures')
          .where('seen_at', '<', nowS - SIGNATURE_TOLERANCE_S * 2)
          .execute();
      }
      const result = await db
        .insertInto('used_signatures')
        .values({ key_hash: createHash('sha256').update(key).digest('hex'), seen_at: nowS })
        .onConflict((oc) => oc.column('key_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
