/** `set`: outputs `data.value` with its expressions evaluated. */
import { setSpec } from '../../src/graph/nodes/set';
import type { NodeType } from './types';
import { computed } from './types';

export const set: NodeType = {
  ...setSpec,
  run: async (node, ctx) => computed(await ctx.evaluate(node.data.value, 'data.value')),
};
