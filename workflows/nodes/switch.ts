/** `switch`: takes the handle of the first case whose expression is true, else `default` (spec: src/graph/nodes/switch.ts). */
import { DEFAULT_HANDLE, switchSpec } from '../../src/graph/nodes/switch';
import type { NodeType } from './types';
import { computed } from './types';

export const switchNode: NodeType = {
  ...switchSpec,
  run: async (node, ctx) => {
    const cases = node.data.cases as { handle: string; expression: string }[];
    for (const [i, c] of cases.entries()) {
      if ((await ctx.evaluate(c.expression, `data.cases[${i}].expression`)) === true) return computed({ handle: c.handle }, c.handle);
    }
    return computed({ handle: DEFAULT_HANDLE }, DEFAULT_HANDLE);
  },
};
