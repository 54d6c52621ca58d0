/**
 * The node result cache's two activities (run as local activities, so each
 * lookup is recorded in history and a replay sees the same answer): a lookup
 * by key, and a store after a miss. The key is a sha256 of what the
 * interpreter hands over: the node type and its evaluated data (secret
 * placeholders unresolved: their values never enter a key or the store), or
 * the node's own evaluated `cache.key`.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PROJECT } from '../src/graph/project-ids';
import { runProject } from './run-project';
import { canonicalJson } from '../src/graph/json';
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

/** The cache key of a node's material in a project: `default`'s keys are as before projects; another project's never meet them. */
export function cacheKey(material: unknown, project: string = DEFAULT_PROJECT): string {
  const scoped = project === DEFAULT_PROJECT ? material : { project, material };
  return createHash('sha256').update(canonicalJson(scoped)).digest('hex');
}

/** Without a cache (no database on this worker) every lookup misses and nothing is stored. */
export function createNodeCacheActivities(cache: NodeCache | undefined) {
  return {
    async nodeCacheGet({ material }: CacheKeyInput): Promise<CacheLookupOutput> {
      const hit = cache ? await cache.get(cacheKey(material, runProject())) : undefined;
      return hit ? { hit } : {};
    },
    async nodeCachePut({ material, output, runId, ttlMs }: CacheStoreInput): Promise<boolean> {
      return cache ? cache.put(cacheKey(material, runProject()), output, runId, ttlMs) : false;
    },
  };
}
