/** `switch`: takes the handle of the first case whose expression is true, else `default`. */
import type { Executor } from './types';
import { computed } from './types';

export const switchNode: Executor = async (node, ctx) => {
  const cases = node.data.cases as { handle: string; expression: string }[];
  for (const [i, c] of cases.entries()) {
    if ((await ctx.evaluate(c.expression, `data.cases[${i}].expression`)) === true) return computed({ handle: c.handle }, c.handle);
  }
  return computed({ handle: 'default' }, 'default');
};
