/**
 * `merge`: joins branches; its output maps each taken input's source id to
 * that source's output. By default it waits for every input to be decided.
 * With `mode: "any"` it starts when its first taken input arrives and passes
 * on that input alone (`{ <winner id>: output }`), even when siblings ended
 * in the same workflow task; the other branches keep running. Runs recorded
 * before `braid-merge-any-winner-v1` passed on every input taken by then,
 * and replay so.
 */
import { patched } from '@temporalio/workflow';
import { setOwnProperty } from '../../src/graph/own-property';
import { mergeSpec } from '../../src/graph/nodes/merge';
import type { NodeType } from './types';
import { computed } from './types';
import { PATCHES } from '../patches';

/** `merge` `any` passes on its first taken input only (before: every input taken by the time it ran). */
export const MERGE_ANY_WINNER_PATCH = PATCHES.mergeAnyWinner.id;

export const merge: NodeType = {
  ...mergeSpec,
  run: async (node, ctx) => {
    const out: Record<string, unknown> = {};
    const incoming = ctx.graph.incoming[node.index]!;
    const winner = node.data.mode === 'any' ? ctx.scheduler.firstTakenInput(node.index) : undefined;
    // The patch is asked only where the answer differs: more than one input taken by now.
    const onlyWinner = winner !== undefined && incoming.filter((e) => ctx.scheduler.isTaken(e)).length > 1 && patched(MERGE_ANY_WINNER_PATCH);
    for (const e of incoming) {
      if (!ctx.scheduler.isTaken(e) || (onlyWinner && e !== winner)) continue;
      const source = ctx.graph.nodes[ctx.graph.edges[e]!.source]!;
      setOwnProperty(out, source.id, ctx.nodesView[source.id]?.output ?? null);
    }
    return computed(out);
  },
};
