/**
 * The node result cache's two activities (run as local activities, so each
 * lookup is recorded in history and a replay sees the same answer): a lookup
 * by key, and a store after a miss. The key is a sha256 of what the
 * interpreter hands over: the node type and its evaluated data (secret
 * placeholders unresolved: their values never enter a key or the store), or
 * the node's own evaluated `cache.key`.
 */
import { createHash } from 'node:crypto';
import type { NodeCache } from '../src/store/node-cache';

export interface CacheKeyInput {
  /** `{ type, data }` of the node after evaluation, or `{ key }` from its `cache.key`. */
  material: unknown;
}

export interface CacheLookupOutput {
  hit?: { output: unknown; at: string; runId: string };
}

export interface CacheStoreInput extends CacheKeyInput {
  output: unknown;
  runId: string;
  ttlMs: number;
}

/** JSON with object keys sorted, so equal data hashes equally whatever its key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function cacheKey(material: unknown): string {
  return createHash('sha256').update(canonical(material)).digest('hex');
}

/** Without a cache (no database on this worker) every lookup misses and nothing is stored. */
export function createNodeCacheActivities(cache: NodeCache | undefined) {
  return {
    async nodeCacheGet({ material }: CacheKeyInput): Promise<CacheLookupOutput> {
      const hit = cache ? await cache.get(cacheKey(material)) : undefined;
      return hit ? { hit } : {};
    },
    async nodeCachePut({ material, output, runId, ttlMs }: CacheStoreInput): Promise<boolean> {
      return cache ? cache.put(cacheKey(material), output, runId, ttlMs) : false;
    },
  };
}
