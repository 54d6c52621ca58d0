/**
 * A forEach node's progress, summed over its batches: each batch reports its
 * latest counts (a Signal), possibly more than once and in any order; the
 * node's progress is the sum of every batch's latest report. Pure.
 */
import type { ForEachProgress, ForEachProgressInput } from './run-state';

export class ForEachProgressTotals {
  private readonly nodes = new Map<string, { total: number; batches: Map<number, { done: number; failed: number }> }>();

  /** A forEach node starts with `total` items. */
  start(nodeId: string, total: number): void {
    this.nodes.set(nodeId, { total, batches: new Map() });
  }

  /** A batch's report; the node's new progress, or undefined for a node that never started. */
  report(p: ForEachProgressInput): ForEachProgress | undefined {
    const entry = this.nodes.get(p.nodeId);
    if (!entry) return undefined;
    entry.batches.set(p.batch, { done: p.done, failed: p.failed });
    let done = 0;
    let failed = 0;
    for (const b of entry.batches.values()) {
      done += b.done;
      failed += b.failed;
    }
    return { done, failed, total: entry.total };
  }
}
