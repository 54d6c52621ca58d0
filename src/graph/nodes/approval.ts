/** `approval`: waits for a person's decision or its timeout (executor: workflows/nodes/approval.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { durationSchema, TIMEOUT_HANDLE, uiKeys } from '../schema';
import { timeoutHandleOf } from './waiting';

/** The out-edge handles of an approval. */
export const APPROVAL_HANDLES = { approved: 'approved', rejected: 'rejected', timeout: TIMEOUT_HANDLE } as const;

export const approvalSpec: NodeTypeSpec = {
  type: 'approval',
  label: 'Approval',
  description: 'Waits for a person to approve or reject (POST …/nodes/:nodeId/decision), or for its timeout.',
  category: 'wait',
  data: buildOnce('src/graph/nodes/approval#approvalSpec.data', () =>
    z
      .object({
        timeout: durationSchema.optional(),
        /** Shown to whoever decides (and in the run's waitingFor). */
        prompt: z.string().max(2000).optional(),
        ...uiKeys,
      })
      .strict(),
  ),
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
  waits: 'approval',
};
