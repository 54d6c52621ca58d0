/** `condition`: evaluates a boolean and takes the `true` or `false` handle. */
import { z } from 'zod';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { expressionSchema, uiKeys } from '../../src/graph/schema';
import { NodeFailure } from '../errors';
import type { NodeType } from './types';
import { computed, describeValue } from './types';

export const condition: NodeType = {
  type: 'condition',
  label: 'Condition',
  description: 'Evaluates a boolean expression and takes its "true" or its "false" edges.',
  category: 'logic',
  data: z.object({ expression: expressionSchema, ...uiKeys }).strict(),
  handles: () => ['true', 'false'],
  handleOf: (output) => (typeof output === 'boolean' ? { handle: String(output) } : { problem: 'a condition node outputs true or false' }),
  activitySlot: false,
  local: false,
  run: async (node, ctx) => {
    const value = await ctx.evaluate(node.data.expression, 'data.expression');
    if (typeof value !== 'boolean') {
      throw new NodeFailure(FAILURE_TYPES.expression, `data.expression must yield a boolean, got ${describeValue(value)}`);
    }
    return computed(value, String(value));
  },
};
