/**
 * `approval`: the run waits, durably, for a person's decision, sent through
 * the `decision` Update (`POST /v1/runs/:runId/nodes/:nodeId/decision`).
 * Approved takes the `approved` edges, rejected the `rejected` ones; when
 * `data.timeout` passes first, the `timeout` edges (or, with none, the node
 * fails with WaitTimeout and `onError` decides).
 */
import { durationMs } from '../../src/graph/duration';
import { APPROVAL_HANDLES, approvalSpec } from '../../src/graph/nodes/approval';
import type { Executor, NodeType } from './types';
import { timedOut } from './waiting';

const run: Executor = async (node, ctx) => {
  const timeoutMs = node.data.timeout === undefined ? undefined : durationMs(String(node.data.timeout));
  const startedMs = Date.now();
  ctx.markWaiting(node, {
    kind: 'approval',
    ...(typeof node.data.prompt === 'string' ? { prompt: node.data.prompt } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutAt: new Date(startedMs + timeoutMs).toISOString() }),
  });
  const answer = await ctx.mailbox.waitDecision(node.id, timeoutMs);
  const runMs = Date.now() - startedMs;
  if (answer === 'timeout') return timedOut(node, ctx, runMs, 'no decision');
  const d = answer.value;
  return {
    output: {
      approved: d.approved,
      ...(d.comment === undefined ? {} : { comment: d.comment }),
      ...(d.by === undefined ? {} : { by: d.by }),
      decidedAt: d.decidedAt,
    },
    handle: d.approved ? APPROVAL_HANDLES.approved : APPROVAL_HANDLES.rejected,
    attempts: 1,
    runMs,
    execution: 'workflow',
  };
};

export const approval: NodeType = { ...approvalSpec, run };
