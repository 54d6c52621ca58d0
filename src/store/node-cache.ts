/**
 * Cached node outputs (a node's `cache: { ttl, key? }`), in Braid's database
 * so every worker and run shares them: a hit reuses the output of the run
 * that stored it until the entry expires. Keys are sha256 hashes; outputs are
 * JSON (at most MAX_CACHED_BYTES: a larger output is not cached).
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

/** Outputs larger than this (as JSON) are not stored. */
export const MAX_CACHED_BYTES = 1024 * 1024;

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

/** `database`: the database, or a function that opens it on first use (a worker opens it only when a cached node runs). */
export function createNodeCache(database: Kysely<Database> | Promise<Kysely<Database>> | (() => Promise<Kysely<Database>>)): NodeCache {
  const dbOf = async () => (typeof database === 'function' ? database() : database);
  return {
    async get(key, now = new Date()) {
      const db = await dbOf();
      const row = await db.selectFrom('node_cache').selectAll().where('cache_key', '=', key).where('expires_at', '>', now.toISOString()).executeTakeFirst();
      return row ? { output: JSON.parse(row.output) as unknown, at: row.stored_at, runId: row.run_id } : undefined;
    },
    async put(key, output, runId, ttlMs, now = new Date()) {
      const text = JSON.stringify(output ?? null);
      if (Buffer.byteLength(text) > MAX_CACHED_BYTES) return false;
      const db = await dbOf();
      const row = { cache_key: key, output: text, run_id: runId, stored_at: now.toISOString(), expires_at: new Date(now.getTime() + ttlMs).toISOString() };
      await db
        .insertInto('node_cache')
        .values(row)
        .onConflict((oc) => oc.column('cache_key').doUpdateSet({ output: row.output, run_id: row.run_id, stored_at: row.stored_at, expires_at: row.expires_at }))
        .execute();
      // Expired entries go as new ones come (cheap with the index).
      await db.deleteFrom('node_cache').where('expires_at', '<=', now.toISOString()).execute();
      return true;
    },
  };
}
