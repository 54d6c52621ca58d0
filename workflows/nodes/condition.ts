/** `condition`: evaluates a boolean and takes the `true` or `false` handle. */
import { FAILURE_TYPES } from '../../src/graph/failures';
import { NodeFailure } from '../errors';
import { conditionSpec } from '../../src/graph/nodes/condition';
import type { NodeType } from './types';
import { computed, describeValue } from './types';

export const condition: NodeType = {
  ...conditionSpec,
  run: async (node, ctx) => {
    const value = await ctx.evaluate(node.data.expression, 'data.expression');
    if (typeof value !== 'boolean') {
      throw new NodeFailure(FAILURE_TYPES.expression, `data.expression must yield a boolean, got ${describeValue(value)}`);
    }
    return computed(value, String(value));
  },
};
