/** `trigger`: the run's entry; its output is the run's input. */
import type { Executor } from './types';
import { computed } from './types';

export const trigger: Executor = async (_node, ctx) => computed(ctx.input ?? null);
