/**
 * Rules for `execution: "local"`. A local activity runs inside the worker that
 * holds the workflow task and its result is recorded only when that task
 * completes, so after a worker crash the request can be sent again. Validation
 * therefore allows only requests that are safe to repeat, and short ones (a
 * local activity keeps the workflow task open while it runs).
 */
import { durationMs } from './duration';
import type { LocalExecutionProblem, NodeCatalog } from './node-type';
import type { ExecutionMode, GraphNode } from './schema';
import { LOCAL_MAX_TIMEOUT_MS } from './schema';

export type { LocalExecutionProblem } from './node-type';

/** Problems that keep `node` from running locally; empty when it may, or when it is not local. */
export function localExecutionProblems(node: GraphNode, defaultMode: ExecutionMode | undefined, types: NodeCatalog): LocalExecutionProblem[] {
  const mode = node.execution ?? defaultMode ?? 'activity';
  if (mode !== 'local') return [];
  const where = node.execution ? ['execution'] : [];
  const type = types.get(node.type);
  if (!type?.local) {
    // settings.execution applies to Braid's own activity nodes only; a node of another type saying so is a mistake.
    const why = type?.activitySlot ? 'calls an activity another worker may host' : 'runs inside the workflow';
    const capable = [...types.values()].filter((t) => t.local).map((t) => t.type);
    return node.execution ? [{ path: ['execution'], message: `only ${capable.join(', ')} nodes can run locally; "${node.type}" ${why}` }] : [];
  }
  // The type's own rules (http: a safe method or an Idempotency-Key, a short request timeout), then the node's timeout.
  const problems: LocalExecutionProblem[] = type.localProblems?.(node.data ?? {}, where) ?? [];
  const limit = `${LOCAL_MAX_TIMEOUT_MS / 1000}s`;
  if (node.timeout !== undefined && safeMs(node.timeout) > LOCAL_MAX_TIMEOUT_MS) {
    problems.push({
      path: ['timeout'],
      message: `a local node holds the workflow task while it runs, so its timeout must be at most ${limit} (got ${node.timeout}); use execution "activity" for longer requests`,
    });
  }
  return problems;
}

function safeMs(text: string): number {
  try {
    return durationMs(text);
  } catch {
    return 0; // reported by the schema
  }
}
