/**
 * How a run ends, decided from what happened to it: canceled, failed (past
 * the history guard, or nodes that fail the run) or succeeded; its message;
 * its output; and its final state fitted into Temporal's payload limit.
 * Pure; the interpreter turns the verdict into a result or a failure.
 */
import { FAILURE_TYPES } from './failures';
import type { Graph } from './graph';
import { setOwnProperty } from './own-property';
import type { NodeError, RunState } from './run-state';

export type RunVerdict =
  | { status: 'canceled'; error: RunState['error'] & object }
  | { status: 'failed'; error: RunState['error'] & object; failureType: string }
  | { status: 'succeeded' };

/**
 * A failure of a `fail` node (`endsRun`) is the run's error as the node named
 * it (type, message, details) with the node's id; otherwise the run failed
 * with RunFailed, naming the nodes.
 */
export function runVerdict(opts: {
  cancelled: boolean;
  /** The run's deadline passed: what it says (settings.timeout, and what was running). */
  deadline?: string;
  historyLimit?: string;
  /** The run's limits could not take it in (its input has no key for them). */
  refused?: string;
  failures: readonly { nodeId: string; error: NodeError; endsRun?: boolean }[];
}): RunVerdict {
  if (opts.cancelled) return { status: 'canceled', error: { type: 'CancelledFailure', message: 'run canceled' } };
  if (opts.deadline !== undefined) {
    return { status: 'failed', failureType: FAILURE_TYPES.runTimedOut, error: { type: FAILURE_TYPES.runTimedOut, message: opts.deadline } };
  }
  if (opts.refused !== undefined) {
    return { status: 'failed', failureType: FAILURE_TYPES.admissionRefused, error: { type: FAILURE_TYPES.admissionRefused, message: opts.refused } };
  }
  if (opts.historyLimit !== undefined) {
    return { status: 'failed', failureType: FAILURE_TYPES.historyLimit, error: { type: FAILURE_TYPES.historyLimit, message: opts.historyLimit } };
  }
  const { failures } = opts;
  if (failures.length === 0) return { status: 'succeeded' };
  const first = failures[0]!;
  const failedNodes = failures.map((f) => f.nodeId);
  const raised = failures.find((f) => f.endsRun);
  if (raised) {
    const { type, message, details } = raised.error;
    return { status: 'failed', failureType: type, error: { type, message, ...(details === undefined ? {} : { details }), nodeId: raised.nodeId, failedNodes } };
  }
  const message =
    failures.length === 1
      ? `node ${first.nodeId} failed: ${first.error.message}`
      : `${failures.length} nodes failed (${failedNodes.join(', ')}); first: ${first.nodeId}: ${first.error.message}`;
  return { status: 'failed', failureType: FAILURE_TYPES.runFailed, error: { type: FAILURE_TYPES.runFailed, message, failedNodes } };
}

/** The run's output: each terminal node (no outgoing edges) that succeeded → its output. */
export function runOutput(graph: Graph, state: RunState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of graph.nodes) {
    const s = state.nodes[n.id]!;
    if (graph.outgoing[n.index]!.length === 0 && s.status === 'succeeded') {
      setOwnProperty(out, n.id, s.output ?? null);
    }
  }
  return out;
}

/**
 * Temporal rejects payloads over 2 MB and warns past 512 KB. The final state
 * repeats every node's output, so a very wide run could exceed that: past
 * RESULT_OUTPUT_BUDGET characters of JSON, node outputs (and if need be the
 * run's output) are left out of the result — each node's own activity result
 * in history still has it — and the run says so with `outputsOmitted`. Not
 * when the run's payloads are claim-checked: a large result is then stored
 * outside history, whatever its size.
 */
export const RESULT_OUTPUT_BUDGET = 400_000;

export function fitIntoPayloadLimit(state: RunState, claimChecked: boolean): void {
  if (claimChecked) return;
  if (JSON.stringify(state).length <= RESULT_OUTPUT_BUDGET) return;
  for (const node of Object.values(state.nodes)) delete node.output;
  state.outputsOmitted = true;
  if (JSON.stringify(state).length > RESULT_OUTPUT_BUDGET) delete state.output;
}
