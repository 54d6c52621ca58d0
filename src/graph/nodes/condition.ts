/** `condition`: evaluates a boolean and takes the `true` or `false` handle (executor: workflows/nodes/condition.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { expressionSchema, uiKeys } from '../schema';

export const conditionSpec: NodeTypeSpec = {
  type: 'condition',
  label: 'Condition',
  description: 'Evaluates a boolean expression and takes its "true" or its "false" edges.',
  category: 'logic',
  data: buildOnce('src/graph/nodes/condition#conditionSpec.data', () => z.object({ expression: expressionSchema, ...uiKeys }).strict()),
  handles: () => ['true', 'false'],
  handleOf: (output) => (typeof output === 'boolean' ? { handle: String(output) } : { problem: 'a condition node outputs true or false' }),
  activitySlot: false,
  local: false,
};
