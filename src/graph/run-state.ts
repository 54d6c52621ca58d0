/**
 * The state of a run as the `state` query and the workflow's result report it,
 * and as the API serves it. Pure types and helpers.
 */
import type { NodeStatus } from './scheduler';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'canceled', 'terminated', 'timed_out'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface NodeError {
  /** A failure type from FAILURE_TYPES, or the Temporal failure kind (`TimeoutFailure`, …). */
  type: string;
  message: string;
  retryable?: boolean;
  details?: unknown;
}

export interface NodeState {
  status: NodeStatus;
  /** Attempts made (activities retry; in-workflow nodes make one). */
  attempts: number;
  /** ISO times in workflow time. */
  startedAt?: string;
  finishedAt?: string;
  output?: unknown;
  error?: NodeError;
}

export interface RunMetrics {
  wallMs: number;
  /** Longest path through the graph by measured node durations. */
  criticalPathMs: number;
  /** criticalPathMs / wallMs: 1 means the run took exactly as long as its critical path. */
  efficiency: number;
  /** Activity nodes started. */
  activityCount: number;
}

export interface RunState {
  runId: string;
  name: string;
  version?: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  input: unknown;
  nodes: Record<string, NodeState>;
  output?: unknown;
  error?: NodeError & { failedNodes?: string[] };
  metrics: RunMetrics;
  /** True when node outputs were left out of the final state to stay within Temporal's payload limits. */
  outputsOmitted?: boolean;
}

/** Arguments of the interpreter workflow. */
export interface GraphWorkflowInput {
  definition: unknown;
  input?: unknown;
  /** Fire only this trigger. */
  trigger?: string;
}

export const WORKFLOW_TYPE = 'graphWorkflow';
export const STATE_QUERY = 'state';
/** Keyword search attribute holding the definition's name. */
export const NAME_SEARCH_ATTRIBUTE = 'BraidWorkflow';
