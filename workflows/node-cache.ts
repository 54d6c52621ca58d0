/**
 * A node with `cache: { ttl, key? }`: before it runs, a local activity looks
 * its key up in Braid's database (recorded in history, so a replay sees the
 * same answer); a hit is the node's result without running it (`cached` in
 * its state), a miss runs it and stores its output for `ttl`. The key is the
 * node type and its evaluated data, or its evaluated `cache.key`; secrets are
 * placeholders here (resolved only inside activities), so their values never
 * enter a key or the store. A lookup or store that fails counts as a miss.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NodeSpec } from '../src/graph/graph';
import type { NodeResult } from '../src/graph/node-result';
import type { ExecutorContext } from './nodes';

const cache = proxyLocalActivities<Pick<Activities, 'nodeCacheGet' | 'nodeCachePut'>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

function materialOf(node: NodeSpec, ctx: ExecutorContext): Promise<unknown> {
  const { key } = node.cache!;
  if (key !== undefined) return ctx.evaluate(key, 'cache.key').then((value) => ({ key: value }));
  return ctx.evaluate(node.data, 'data').then((data) => ({ type: node.type, data }));
}

/** Runs `run` for a cached node, or answers from the cache. */
export function cachedRun(node: NodeSpec, ctx: ExecutorContext, run: () => Promise<NodeResult>): Promise<NodeResult> {
  return materialOf(node, ctx).then((material) =>
    cache.nodeCacheGet({ material }).then(
      (found): Promise<NodeResult> => {
        if (found.hit) {
          const { output, at, runId } = found.hit;
          return Promise.resolve({ output, attempts: 0, runMs: 0, execution: 'workflow', cached: { at, runId } });
        }
        return run().then((result) =>
          cache.nodeCachePut({ material, output: result.output, runId: ctx.run.id, ttlMs: node.cache!.ttlMs }).then(
            () => result,
            () => result,
          ),
        );
      },
      () => run(),
    ),
  );
}
