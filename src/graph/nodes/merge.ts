/** `merge`: joins branches; with `mode: "any"` it starts on its first taken input (executor: workflows/nodes/merge.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { uiKeys } from '../schema';

export const mergeSpec: NodeTypeSpec = {
  type: 'merge',
  label: 'Merge',
  description:
    'Joins branches: waits for all of them and outputs each taken branch by its node id; with mode "any", starts on the first taken branch and outputs that one alone.',
  category: 'logic',
  data: buildOnce('src/graph/nodes/merge#mergeSpec.data', () => z.object({ mode: z.enum(['all', 'any']).optional(), ...uiKeys }).strict()),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
  joinsOnFirst: (data) => data.mode === 'any',
};
