/** What a node's executor returns when the node succeeds (the dispatcher builds it for activity nodes). */
import type { ForEachProgress, NodeError, NodeLog, SeedSource } from './run-state';

export interface NodeResult {
  output: unknown;
  attempts: number;
  /** Branch chosen by a condition or switch. */
  handle?: string;
  /** The node's own work in ms (request time, delay time); 0 when it only computes. */
  runMs: number;
  /** Activity nodes: scheduled → started of the last attempt. */
  queuedMs?: number;
  execution: 'activity' | 'local' | 'workflow';
  /** A subworkflow node: its child run. */
  childRunId?: string;
  /** A forEach node: its items at the end. */
  progress?: ForEachProgress;
  /** Activity nodes that were retried: the error types of the attempts before the last, oldest first. */
  retries?: string[];
  /** A seeded node (seeds.ts): not executed, its output came from here. */
  from?: SeedSource;
  /** A cache hit (workflows/node-cache.ts): not executed, its output was stored then by that run. */
  cached?: { at: string; runId: string };
  /** A forEach in a redrive: items whose outputs were reused. */
  reusedItems?: { runId: string; count: number };
  /** A code node: what its console said (bounded), and how many calls were past the limit. */
  logs?: NodeLog[];
  logsDropped?: number;
}

/** What expressions see of a node as `$nodes.<id>`. */
export interface NodeBinding {
  status: string;
  output?: unknown;
  error?: NodeError;
}
