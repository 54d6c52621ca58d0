/**
 * What a run receives from outside while it runs: approval decisions (the
 * `decision` Update) and named events (the `event` Signal). Nodes park here
 * until their answer arrives or their timeout passes.
 *
 * Events are broadcast: one delivery answers every node waiting for that name
 * at the time. An event nobody waits for is kept, in order, and answers the
 * next node that waits for it. Both arrive through history, so what is kept
 * survives replay.
 */
import { condition } from '@temporalio/workflow';

export interface Decision {
  approved: boolean;
  comment?: string;
  by?: string;
  decidedAt: string;
}

/** What a parked node got: an answer, or `timeout`. */
export type Answer<T> = { value: T } | 'timeout';

export class Mailbox {
  private readonly kept = new Map<string, unknown[]>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly decisions = new Map<string, Decision>();

  deliverEvent(name: string, payload: unknown): void {
    const listening = this.listeners.get(name);
    if (listening && listening.size > 0) {
      for (const answer of listening) answer(payload);
      listening.clear();
      return;
    }
    const queue = this.kept.get(name) ?? [];
    queue.push(payload);
    this.kept.set(name, queue);
  }

  /** Events kept for a name that no node has taken yet. */
  keptCount(name: string): number {
    return this.kept.get(name)?.length ?? 0;
  }

  async waitEvent(name: string, timeoutMs: number | undefined): Promise<Answer<unknown>> {
    const queue = this.kept.get(name);
    if (queue && queue.length > 0) return { value: queue.shift() };
    let got: { value: unknown } | undefined;
    const answer = (payload: unknown) => (got = { value: payload });
    const listening = this.listeners.get(name) ?? new Set();
    listening.add(answer);
    this.listeners.set(name, listening);
    try {
      await condition(() => got !== undefined, timeoutMs);
      // An event that came with the timeout in the same activation still counts.
      return got ?? 'timeout';
    } finally {
      listening.delete(answer);
    }
  }

  hasDecision(nodeId: string): boolean {
    return this.decisions.has(nodeId);
  }

  decide(nodeId: string, decision: Decision): void {
    this.decisions.set(nodeId, decision);
  }

  async waitDecision(nodeId: string, timeoutMs: number | undefined): Promise<Answer<Decision>> {
    // (Without a timeout, condition() resolves to undefined: ask the map, not its answer.)
    await condition(() => this.decisions.has(nodeId), timeoutMs);
    const decision = this.decisions.get(nodeId);
    return decision ? { value: decision } : 'timeout';
  }
}
