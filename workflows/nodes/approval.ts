/**
 * `approval`: the run waits, durably, for a person's decision, sent through
 * the `decision` Update (`POST /v1/runs/:runId/nodes/:nodeId/decision`).
 * Approved takes the `approved` edges, rejected the `rejected` ones; when
 * `data.timeout` passes first, the `timeout` edges (or, with none, the node
 * fails with WaitTimeout and `onError` decides).
 */
import { durationMs } from '../../src/graph/duration';
import type { Executor, NodeType } from './types';
import { timedOut, timeoutHandleOf } from './waiting';
import { z } from 'zod';
import { durationSchema, TIMEOUT_HANDLE, uiKeys } from '../../src/graph/schema';

/** The out-edge handles of an approval. */
export const APPROVAL_HANDLES = { approved: 'approved', rejected: 'rejected', timeout: TIMEOUT_HANDLE } as const;

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

export const approval: NodeType = {
  type: 'approval',
  label: 'Approval',
  description: 'Waits for a person to approve or reject (POST …/nodes/:nodeId/decision), or for its timeout.',
  category: 'wait',
  data: z
    .object({
      timeout: durationSchema.optional(),
      /** Shown to whoever decides (and in the run's waitingFor). */
      prompt: z.string().max(2000).optional(),
      ...uiKeys,
    })
    .strict(),
  handles: () => [APPROVAL_HANDLES.approved, APPROVAL_HANDLES.rejected, APPROVAL_HANDLES.timeout],
  handleOf: (output) => {
    const timeout = timeoutHandleOf(output);
    if (timeout) return timeout;
    const approved = (output as { approved?: unknown } | null)?.approved;
    return typeof approved === 'boolean'
      ? { handle: approved ? APPROVAL_HANDLES.approved : APPROVAL_HANDLES.rejected }
      : { problem: 'an approval node outputs { "approved": true or false, … }' };
  },
  activitySlot: false,
  local: false,
  ownRun: true,
  run,
};
