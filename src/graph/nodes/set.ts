/** `set`: outputs `data.value` with its expressions evaluated (executor: workflows/nodes/set.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { uiKeys } from '../schema';

export const setSpec: NodeTypeSpec = {
  type: 'set',
  label: 'Set',
  description: 'Outputs a value built from the input and earlier nodes ($input, $nodes) with expressions.',
  category: 'logic',
  data: buildOnce('src/graph/nodes/set#setSpec.data', () => z.object({ value: z.unknown(), ...uiKeys }).strict()),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
};
