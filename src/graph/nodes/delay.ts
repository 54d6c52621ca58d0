/** `delay`: waits durably for `data.duration` or until `data.until` (executor: workflows/nodes/delay.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { durationSchema, exprOr, uiKeys } from '../schema';

export const delaySpec: NodeTypeSpec = {
  type: 'delay',
  label: 'Delay',
  description: 'Waits, durably, for a duration or until a time; a worker restart does not shorten or lengthen it.',
  category: 'wait',
  data: buildOnce('src/graph/nodes/delay#delaySpec.data', () =>
    z
      .object({
        duration: exprOr(durationSchema).optional(),
        until: exprOr(z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time')).optional(),
        ...uiKeys,
      })
      .strict()
      .refine((d) => (d.duration === undefined) !== (d.until === undefined), 'needs exactly one of "duration" or "until"'),
  ),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
};
