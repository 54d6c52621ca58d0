/** `set`: outputs `data.value` with its expressions evaluated. */
import type { Executor } from './types';
import { computed } from './types';

export const set: Executor = async (node, ctx) => computed(await ctx.evaluate(node.data.value, 'data.value'));
