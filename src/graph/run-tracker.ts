/**
 * Holds a run's state and versions every node change, so a watcher can ask for
 * "what changed since version v" instead of copying the whole run each time.
 * Pure; the interpreter owns one and answers the `state` and `changes` queries
 * from it.
 */
import type { NodeState, RunChanges, RunState } from './run-state';
import { isLive } from './run-state';

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
    // A node's estimate is set once at the start and kept through its changes.
    const estimate = this.state.nodes[id]?.estimate;
    this.state.nodes[id] = estimate && !next.estimate ? { ...next, estimate } : next;
    this.nodeVersion.set(id, ++this.versionCounter);
  }

  /** Marks a run-level change (status, output, error, metrics at the end). */
  touch(): void {
    this.versionCounter++;
  }

  /** One more node started as an activity (the run's activityCount). */
  countActivity(): void {
    this.state.metrics.activityCount++;
  }

  /** The wall time so far of a run that still runs, for whoever asks now; not a change of its own. */
  showWallTime(wallMs: number): void {
    if (isLive(this.state.status)) this.state.metrics.wallMs = wallMs;
  }

  /** The run's end: when, its final metrics, its status, and its output or its error. */
  end(end: Pick<RunState, 'finishedAt' | 'metrics' | 'status'> & Pick<Partial<RunState>, 'output' | 'error'>): void {
    this.state.finishedAt = end.finishedAt;
    this.state.metrics = end.metrics;
    this.state.status = end.status;
    if (end.output !== undefined) this.state.output = end.output;
    if (end.error !== undefined) this.state.error = end.error;
    this.touch();
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
