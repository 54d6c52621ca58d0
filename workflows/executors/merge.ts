/** `merge`: joins branches; its output maps each taken input's source id to that source's output. */
import { setOwnProperty } from '../../src/graph/own-property';
import type { Executor } from './types';
import { computed } from './types';

export const merge: Executor = async (node, ctx) => {
  const out: Record<string, unknown> = {};
  for (const e of ctx.graph.incoming[node.index]!) {
    if (!ctx.scheduler.isTaken(e)) continue;
    const source = ctx.graph.nodes[ctx.graph.edges[e]!.source]!;
    setOwnProperty(out, source.id, ctx.nodesView[source.id]?.output ?? null);
  }
  return computed(out);
};
