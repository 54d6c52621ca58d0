/**
 * Custom node types' activities (src/node-types.ts): one per type, named
 * after it, so Temporal's Web UI shows the node type as the activity type.
 * Each checks the evaluated data against the type's schema (a mismatch is not
 * retried), heartbeats while `run` works (so a cancellation reaches it through
 * the AbortSignal), and returns what `run` returns.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { NodeTypeRegistry } from '../src/node-types';

export interface NodeTypeActivityInput {
  nodeId: string;
  runId: string;
  data: unknown;
}

export const INVALID_NODE_DATA = 'InvalidNodeData';

export function createNodeTypeActivities(registry: NodeTypeRegistry, heartbeatIntervalMs = 1_000) {
  const activities: Record<string, (input: NodeTypeActivityInput) => Promise<unknown>> = {};
  for (const def of registry.values()) {
    activities[def.type] = async (input) => {
      const parsed = def.data.safeParse(input.data);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (i) => `data${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
        );
        throw ApplicationFailure.nonRetryable(`invalid ${def.type} data after evaluation: ${problems.join('; ')}`, INVALID_NODE_DATA);
      }
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), heartbeatIntervalMs);
      try {
        return await def.run(parsed.data, {
          nodeId: input.nodeId,
          runId: input.runId,
          attempt: ctx.info.attempt,
          signal: ctx.cancellationSignal,
          heartbeat: (details) => ctx.heartbeat(details),
        });
      } catch (err) {
        // Whatever run throws once the node is canceled, the activity was canceled.
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`${def.type} canceled`, [], err instanceof Error ? err : undefined);
        throw err;
      } finally {
        clearInterval(beat);
      }
    };
  }
  return activities;
}
