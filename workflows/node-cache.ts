/**
 * A node with `cache: { ttl, key? }`: before it runs, a local activity looks
 * its key up in Braid's database (recorded in history, so a replay sees the
 * same answer); a hit is the node's result without running it (`cached` in
 * its state), a miss runs it and stores its output for `ttl`. The key is the
 * node type and its evaluated data, or its evaluated `cache.key`; secrets are
 * placeholders here (resolved only inside activities), so their values never
 * enter a key or the store. Keys are the workflow's own: another workflow
 * neither reads nor writes them. A lookup or store that fails counts as a miss.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NodeSpec } from '../src/graph/graph';
import { redactSecrets } from '../src/graph/secrets';
import type { NodeResult } from '../src/graph/node-result';
import type { ExecutorContext } from './nodes';

const cache = proxyLocalActivities<Pick<Activities, 'nodeCacheGet' | 'nodeCachePut'>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

/**
 * What the key is made of: the workflow's name (entries belong to the
 * workflow that wrote them), and the node's type and data or its own key,
 * with secret placeholders as `[secret]` (they carry the run's nonce).
 */
function materialOf(node: NodeSpec, ctx: ExecutorContext): Promise<unknown> {
  const { key } = node.cache!;
  const workflow = ctx.graph.name;
  if (key !== undefined) return ctx.evaluate(key, 'cache.key').then((value) => ({ workflow, key: redactSecrets(value) }));
  return ctx.evaluate(node.data, 'data').then((data) => ({ workflow, type: node.type, data: redactSecrets(data) }));
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
