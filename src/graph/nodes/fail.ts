/** `fail`: ends the run as failed with the error its data names (executor: workflows/nodes/fail.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { uiKeys } from '../schema';

/** A failure type as people and programs match on it: `OrderRejected`, `payment.declined`. */
const ERROR_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

export const failSpec: NodeTypeSpec = {
  type: 'fail',
  label: 'Fail',
  description: 'Ends the run as failed with the error it names (type, message, details); nodes still running are cancelled.',
  category: 'logic',
  data: buildOnce('src/graph/nodes/fail#failSpec.data', () =>
    z
      .object({
        error: z.string().regex(ERROR_TYPE, 'must be a name such as "OrderRejected": a letter, then letters, digits, _ . : - (100 at most)'),
        message: z.string().min(1).max(10_000),
        details: z.unknown().optional(),
        ...uiKeys,
      })
      .strict(),
  ),
  handles: () => [],
  activitySlot: false,
  local: false,
  endsRun: true,
};
