/**
 * `merge`: joins branches; its output maps each taken input's source id to
 * that source's output. With `mode: "any"` it starts when its first taken
 * input arrives (the other branches keep running); by default it waits for
 * every input to be decided.
 */
import { z } from 'zod';
import { PLAIN_HANDLES } from '../../src/graph/node-type';
import { setOwnProperty } from '../../src/graph/own-property';
import { uiKeys } from '../../src/graph/schema';
import type { NodeType } from './types';
import { computed } from './types';

export const merge: NodeType = {
  type: 'merge',
  label: 'Merge',
  description: 'Joins branches: waits for all of them (or, with mode "any", the first) and outputs each taken branch by its node id.',
  category: 'logic',
  data: z.object({ mode: z.enum(['all', 'any']).optional(), ...uiKeys }).strict(),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
  joinsOnFirst: (data) => data.mode === 'any',
  run: async (node, ctx) => {
    const out: Record<string, unknown> = {};
    for (const e of ctx.graph.incoming[node.index]!) {
      if (!ctx.scheduler.isTaken(e)) continue;
      const source = ctx.graph.nodes[ctx.graph.edges[e]!.source]!;
      setOwnProperty(out, source.id, ctx.nodesView[source.id]?.output ?? null);
    }
    return computed(out);
  },
};
