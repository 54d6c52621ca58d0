/** `forEach`: runs a body graph once per item of a list (executor: workflows/nodes/for-each.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { expressionSchema, LIMITS, uiKeys, workflowRefSchema } from '../schema';

/** Most items a forEach node takes. */
export const FOR_EACH_MAX_ITEMS = 100_000;
export const FOR_EACH_DEFAULT_CONCURRENCY = 10;

export const forEachSpec: NodeTypeSpec = {
  type: 'forEach',
  label: 'For each',
  description: 'Runs a body graph once per item of a list (up to 100,000), a bounded number at once, and outputs the results in item order.',
  category: 'compose',
  data: buildOnce('src/graph/nodes/for-each#forEachSpec.data', () =>
    z
      .object({
        /** The list: an array, or an expression giving one (at most FOR_EACH_MAX_ITEMS). */
        items: z.union([expressionSchema, z.array(z.unknown())]),
        /** The graph run for each item (its nodes see `$item` and `$index`; `$input` is the item). */
        body: z.record(z.string(), z.unknown()).optional(),
        ref: workflowRefSchema.optional(),
        maxConcurrency: z.number().int().min(1).max(LIMITS.maxParallel).optional(),
        toleratedFailurePercentage: z.number().min(0).max(100).optional(),
        ...uiKeys,
      })
      .strict()
      .refine((d) => (d.body === undefined) !== (d.ref === undefined), 'needs exactly one of "body" or "ref"'),
  ),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
  inlineGraph: { field: 'body', ownRun: false },
  keepsItems: true,
};
