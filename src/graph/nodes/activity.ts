/** `activity`: calls any Temporal activity by type on any task queue (executor: workflows/nodes/activity.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { expressionSchema, uiKeys } from '../schema';

export const activitySpec: NodeTypeSpec = {
  type: 'activity',
  label: 'Activity',
  description: 'Calls a Temporal activity by type, on this task queue or another (an activity in any language).',
  category: 'action',
  data: buildOnce('src/graph/nodes/activity#activitySpec.data', () =>
    z
      .object({
        activityType: z.string().min(1, 'must not be empty').max(200),
        taskQueue: z.string().min(1, 'must not be empty').max(200).optional(),
        args: z.union([expressionSchema, z.array(z.unknown())]).optional(),
        ...uiKeys,
      })
      .strict(),
  ),
  handles: () => PLAIN_HANDLES,
  activitySlot: true,
  cacheable: true,
  local: false,
  activityCall: (d) =>
    typeof d.activityType === 'string' ? { activityType: d.activityType, ...(typeof d.taskQueue === 'string' ? { taskQueue: d.taskQueue } : {}) } : undefined,
};
