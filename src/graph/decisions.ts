/**
 * Whether an approval decision may be recorded: the node must be an approval
 * node of this run, waiting and not yet decided, and the decision a boolean.
 * Pure; the interpreter's update validator refuses with what this returns.
 */
import { FAILURE_TYPES } from './failures';
import type { Graph } from './graph';
import type { DecisionInput, NodeState } from './run-state';
import { DECISION_REFUSALS } from './run-state';

export function decisionRefusal(
  graph: Graph,
  nodes: Readonly<Record<string, NodeState>>,
  decided: (nodeId: string) => boolean,
  d: DecisionInput,
): { type: string; message: string } | undefined {
  const index = graph.indexById.get(d?.nodeId);
  if (index === undefined || graph.nodes[index]!.waits !== 'approval') {
    return { type: DECISION_REFUSALS.unknownNode, message: `this run has no approval node "${String(d?.nodeId)}"` };
  }
  const status = nodes[d.nodeId]!.status;
  if (status !== 'waiting' || decided(d.nodeId)) {
    return {
      type: DECISION_REFUSALS.notWaiting,
      message: `node "${d.nodeId}" is not waiting for a decision (it is ${decided(d.nodeId) ? 'decided' : status})`,
    };
  }
  if (typeof d.approved !== 'boolean') return { type: FAILURE_TYPES.invalidNodeData, message: 'approved must be a boolean' };
  return undefined;
}
