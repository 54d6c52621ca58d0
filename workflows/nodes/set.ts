/** `set`: outputs `data.value` with its expressions evaluated. */
import { z } from 'zod';
import { PLAIN_HANDLES } from '../../src/graph/node-type';
import { uiKeys } from '../../src/graph/schema';
import type { NodeType } from './types';
import { computed } from './types';

export const set: NodeType = {
  type: 'set',
  label: 'Set',
  description: 'Outputs a value built from the input and earlier nodes ($input, $nodes) with expressions.',
  category: 'logic',
  data: z.object({ value: z.unknown(), ...uiKeys }).strict(),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
  run: async (node, ctx) => computed(await ctx.evaluate(node.data.value, 'data.value')),
};
