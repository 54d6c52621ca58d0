/** What approval and wait nodes share: ending by timeout, and knowing an output that did. */
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { NodeSpec } from '../../src/graph/graph';
import { TIMEOUT_HANDLE } from '../../src/graph/schema';
import { NodeFailure } from '../errors';
import type { ExecutorContext, NodeResult } from './types';

/**
 * A waiting node whose `data.timeout` passed: it takes its `timeout` edges;
 * with none, it fails with WaitTimeout and its `onError` decides.
 */
export function timedOut(node: NodeSpec, ctx: ExecutorContext, runMs: number, what: string): NodeResult {
  const hasTimeoutEdge = ctx.graph.outgoing[node.index]!.some((e) => ctx.graph.edges[e]!.handle === TIMEOUT_HANDLE);
  if (!hasTimeoutEdge) {
    throw new NodeFailure(FAILURE_TYPES.waitTimeout, `${what} within ${String(node.data.timeout)}, and the node has no "timeout" edge`);
  }
  return { output: { timedOut: true, waitedMs: runMs }, handle: TIMEOUT_HANDLE, attempts: 1, runMs, execution: 'workflow' };
}
