/** `trigger`: the run's entry; its output is the run's input (spec: src/graph/nodes/trigger.ts). */
import { triggerSpec } from '../../src/graph/nodes/trigger';
import type { NodeType } from './types';
import { computed } from './types';

export const trigger: NodeType = { ...triggerSpec, run: async (_node, ctx) => computed(ctx.input ?? null) };
