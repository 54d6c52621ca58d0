/**
 * Rules for `execution: "local"`. A local activity runs inside the worker that
 * holds the workflow task and its result is recorded only when that task
 * completes, so after a worker crash the request can be sent again. Validation
 * therefore allows only requests that are safe to repeat, and short ones (a
 * local activity keeps the workflow task open while it runs).
 */
import { durationMs } from './duration';
import { isExpression } from './expressions';
import type { NodeCatalog } from './node-type';
import type { ExecutionMode, GraphNode } from './schema';
import { LOCAL_MAX_TIMEOUT_MS, LOCAL_SAFE_METHODS } from './schema';

export interface LocalExecutionProblem {
  /** Path segments under the node. */
  path: (string | number)[];
  message: string;
}

/** Whether a header map (as written) names an Idempotency-Key header, in any case. */
export function hasIdempotencyKey(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return false;
  return Object.keys(headers).some((k) => k.toLowerCase() === 'idempotency-key');
}

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
  const problems: LocalExecutionProblem[] = [];
  const data = node.data ?? {};
  const method = data.method ?? 'GET';
  if (!hasIdempotencyKey(data.headers)) {
    if (isExpression(method)) {
      problems.push({
        path: where.length ? where : ['data', 'method'],
        message:
          'a local node may run again after a worker crash, so its method must be GET, HEAD or OPTIONS; this one is an expression that could be anything. Write the method out or add an Idempotency-Key header',
      });
    } else if (typeof method === 'string' && !LOCAL_SAFE_METHODS.has(method)) {
      problems.push({
        path: where.length ? where : ['data', 'method'],
        message: `a local node may run again after a worker crash, so ${method} needs an Idempotency-Key header (or use execution "activity"); only GET, HEAD and OPTIONS run locally without one`,
      });
    }
  }
  const limit = `${LOCAL_MAX_TIMEOUT_MS / 1000}s`;
  if (node.timeout !== undefined && safeMs(node.timeout) > LOCAL_MAX_TIMEOUT_MS) {
    problems.push({
      path: ['timeout'],
      message: `a local node holds the workflow task while it runs, so its timeout must be at most ${limit} (got ${node.timeout}); use execution "activity" for longer requests`,
    });
  }
  if (typeof data.timeout === 'string' && !isExpression(data.timeout) && safeMs(data.timeout) > LOCAL_MAX_TIMEOUT_MS) {
    problems.push({
      path: ['data', 'timeout'],
      message: `a local node holds the workflow task while it runs, so its request timeout must be at most ${limit} (got ${data.timeout}); use execution "activity" for longer requests`,
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
