/**
 * Cached node outputs (a node's `cache: { ttl, key? }`), in Braid's database
 * so every worker and run shares them: a hit reuses the output of the run
 * that stored it until the entry expires. Keys are sha256 hashes. With the
 * worker's payload codecs (encryption, the claim check) an output is stored
 * as the payload they make of it, so it is encrypted at rest as in Temporal's
 * history and a large one sits in the payload store with only its reference
 * here; without them it is plain JSON. Either way, at most MAX_CACHED_BYTES
 * go in a row: a larger output is not cached.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Kysely } from 'kysely';
import type { Database } from './tables';

/** Rows hold at most this much (JSON, or an encoded payload). */
export const MAX_CACHED_BYTES = 1024 * 1024;
/** Marks a row whose output is an encoded payload (base64 of its protobuf). */
const PAYLOAD_PREFIX = 'payload:';

export interface CacheHit {
  output: unknown;
  /** When it was stored (ISO) and by which run. */
  at: string;
  runId: string;
}

export interface NodeCache {
  /** The entry under `key` if it has not expired at `now`. */
  get(key: string, now?: Date): Promise<CacheHit | undefined>;
  /** Stores (or replaces) the entry; false when the output is too large to keep. */
  put(key: string, output: unknown, runId: string, ttlMs: number, now?: Date): Promise<boolean>;
}

/**
 * `database`: the database, or a function that opens it on first use (a
 * worker opens it only when a cached node runs); `codec`: the worker's
 * payload codecs, chained (none: plain JSON).
 */
export function createNodeCache(database: Kysely<Database> | Promise<Kysely<Database>> | (() => Promise<Kysely<Database>>), codec?: PayloadCodec): NodeCache {
  const dbOf = async () => (typeof database === 'function' ? database() : database);
  const serialize = async (output: unknown): Promise<string> => {
    if (!codec) return JSON.stringify(output ?? null);
    const [payload] = await codec.encode([defaultPayloadConverter.toPayload(output ?? null)]);
    return PAYLOAD_PREFIX + Buffer.from(temporal.api.common.v1.Payload.encode(payload!).finish()).toString('base64');
  };
  const deserialize = async (text: string): Promise<unknown> => {
    if (!text.startsWith(PAYLOAD_PREFIX)) return JSON.parse(text) as unknown;
    if (!codec) throw new Error('a cached output is encoded, and this worker has no payload codecs to decode it');
    const payload = temporal.api.common.v1.Payload.decode(Buffer.from(text.slice(PAYLOAD_PREFIX.length), 'base64')) as Payload;
    const [decoded] = await codec.decode([payload]);
    return defaultPayloadConverter.fromPayload(decoded!);
  };
  return {
    async get(key, now = new Date()) {
      const db = await dbOf();
      const row = await db.selectFrom('node_cache').selectAll().where('cache_key', '=', key).where('expires_at', '>', now.toISOString()).executeTakeFirst();
      return row ? { output: await deserialize(row.output), at: row.stored_at, runId: row.run_id } : undefined;
    },
    async put(key, output, runId, ttlMs, now = new Date()) {
      const text = await serialize(output);
      if (Buffer.byteLength(text) > MAX_CACHED_BYTES) return false;
      const db = await dbOf();
      const row = { cache_key: key, output: text, run_id: runId, stored_at: now.toISOString(), expires_at: new Date(now.getTime() + ttlMs).toISOString() };
      await db
        .insertInto('node_cache')
        .values(row)
        .onConflict((oc) =>
          oc.column('cache_key').doUpdateSet({ output: row.output, run_id: row.run_id, stored_at: row.stored_at, expires_at: row.expires_at }),
        )
        .execute();
      // Expired entries go as new ones come (cheap with the index).
      await db.deleteFrom('node_cache').where('expires_at', '<=', now.toISOString()).execute();
      return true;
    },
  };
}
