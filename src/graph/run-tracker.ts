/**
 * Holds a run's state and versions every node change, so a watcher can ask for
 * "what changed since version v" instead of copying the whole run each time.
 * Pure; the interpreter owns one and answers the `state` and `changes` queries
 * from it.
 */
import type { NodeState, RunChanges, RunState } from './run-state';

export class RunTracker {
  /** Bumped on every node change and every run-level change. */
  private versionCounter = 1;
  private readonly nodeVersion = new Map<string, number>();

  constructor(readonly state: RunState) {
    for (const id of Object.keys(state.nodes)) this.nodeVersion.set(id, 1);
  }

  get version(): number {
    return this.versionCounter;
  }

  node(id: string): NodeState {
    return this.state.nodes[id]!;
  }

  /** Replaces a node's state (never mutate the one returned by `node`). */
  setNode(id: string, next: NodeState): void {
    this.state.nodes[id] = next;
    this.nodeVersion.set(id, ++this.versionCounter);
  }

  /** Marks a run-level change (status, output, error, metrics at the end). */
  touch(): void {
    this.versionCounter++;
  }

  /**
   * The run with only the nodes changed after `since`; every node when `since`
   * is 0, negative or from the future (another run, a reset), flagged `full`.
   */
  changes(since: number): RunChanges {
    const full = !(since > 0 && since <= this.versionCounter);
    const nodes: Record<string, NodeState> = {};
    for (const [id, v] of this.nodeVersion) if (full || v > since) nodes[id] = this.state.nodes[id]!;
    return { version: this.versionCounter, full, state: { ...this.state, nodes } };
  }
}
