/**
 * How a node's end becomes its state: the state the run shows, what
 * expressions see of it as `$nodes.<id>`, the outcome the scheduler takes,
 * its own work time, and whether it fails the run. Pure; the interpreter
 * records what this returns.
 */
import type { NodeSpec } from './graph';
import type { NodeBinding, NodeResult } from './node-result';
import type { NodeError, NodeLog, NodeState } from './run-state';
import { isoTime } from './run-state';
import type { NodeOutcome } from './scheduler';

/** A node's end as its executor reported it: a result, or an error (and whether it was a cancellation). */
export type NodeEnd = { result: NodeResult } | { error: NodeError; cancelled: boolean };

export interface EndedNode {
  state: NodeState;
  binding: NodeBinding;
  outcome: NodeOutcome;
  /** The node's own work in ms, for the run's workMs (undefined when a failure did not report it). */
  workMs: number | undefined;
  /** A failed node whose `onError` is `fail`: the run fails. */
  failsRun: boolean;
}

/**
 * `stopRequested`: the run asked this node to stop (fail-fast, cancellation,
 * the history guard). However such a node ends short of success, it was
 * canceled (its worker may have died and the activity timed out before the
 * cancellation was confirmed).
 */
export function endNode(node: Pick<NodeSpec, 'type' | 'onError'>, end: NodeEnd, startedMs: number, endedMs: number, stopRequested: boolean): EndedNode {
  const base = { type: node.type, startedAt: isoTime(startedMs), finishedAt: isoTime(endedMs) };
  if ('result' in end) {
    const r = end.result;
    return {
      state: {
        ...base,
        status: 'succeeded',
        attempts: r.attempts,
        output: r.output,
        ...(r.queuedMs === undefined ? {} : { queuedMs: r.queuedMs }),
        runMs: r.runMs,
        execution: r.execution,
        ...(r.retries?.length ? { retries: r.retries } : {}),
        ...(r.logs === undefined ? {} : { logs: r.logs }),
        ...(r.logsDropped ? { logsDropped: r.logsDropped } : {}),
        ...(r.childRunId === undefined ? {} : { childRunId: r.childRunId }),
        ...(r.progress === undefined ? {} : { progress: r.progress }),
        ...(r.handle === undefined ? {} : { handle: r.handle }),
        ...(r.from === undefined ? {} : r.from === 'pin' ? { pinned: true as const } : { reused: { runId: r.from.runId } }),
        ...(r.cached === undefined ? {} : { cached: r.cached }),
        ...(r.reusedItems === undefined ? {} : { reusedItems: r.reusedItems }),
      },
      binding: { status: 'succeeded', output: r.output },
      outcome: { status: 'succeeded', handle: r.handle },
      workMs: r.runMs,
      failsRun: false,
    };
  }
  const timing = { ...timingOf(end.error), ...retriesOf(end.error), ...logsOf(end.error) };
  const attempts = attemptsOf(end.error);
  if (end.cancelled || stopRequested) {
    return {
      state: { ...base, status: 'canceled', attempts, error: end.error, ...timing },
      binding: { status: 'canceled', error: end.error },
      outcome: { status: 'canceled' },
      workMs: timing.runMs,
      failsRun: false,
    };
  }
  const output = node.onError === 'continue' ? { error: end.error } : undefined;
  return {
    state: { ...base, status: 'failed', attempts, error: end.error, ...(output ? { output } : {}), ...timing },
    binding: { status: 'failed', error: end.error, ...(output ? { output } : {}) },
    outcome: { status: 'failed' },
    workMs: timing.runMs,
    failsRun: node.onError === 'fail',
  };
}

/** What an activity's last attempt put in its failure's first detail (activities/index.ts withAttempt), unchecked. */
type AttemptDetails = { attempt?: unknown; queuedMs?: unknown; runMs?: unknown; retries?: unknown; logs?: unknown; logsDropped?: unknown };

function detailsOf(error: NodeError): AttemptDetails | undefined {
  return error.details as AttemptDetails | undefined;
}

/** The error types of a failed activity's earlier attempts, when its last attempt reported them. */
function retriesOf(error: NodeError): { retries?: string[] } {
  const retries = detailsOf(error)?.retries;
  return Array.isArray(retries) && retries.length && retries.every((t) => typeof t === 'string') ? { retries } : {};
}

/** What a failed code node logged, when its failure carried it (activities/code.ts). */
function logsOf(error: NodeError): { logs?: NodeLog[]; logsDropped?: number } {
  const d = detailsOf(error);
  const logs = Array.isArray(d?.logs) ? (d.logs as unknown[]).filter(isLog) : undefined;
  return {
    ...(logs?.length ? { logs } : {}),
    ...(typeof d?.logsDropped === 'number' && d.logsDropped > 0 ? { logsDropped: d.logsDropped } : {}),
  };
}

function isLog(v: unknown): v is NodeLog {
  const l = v as NodeLog | null;
  return l !== null && typeof l === 'object' && typeof l.message === 'string' && ['debug', 'info', 'warn', 'error'].includes(l.level);
}

/** Attempts of a failed activity (its last attempt's number), 1 otherwise. */
export function attemptsOf(error: NodeError): number {
  const attempt = detailsOf(error)?.attempt;
  return typeof attempt === 'number' ? attempt : 1;
}

/** queuedMs / runMs of a failed activity's last attempt, when it reported them. */
export function timingOf(error: NodeError): { queuedMs?: number; runMs?: number } {
  const d = detailsOf(error);
  return {
    ...(typeof d?.queuedMs === 'number' ? { queuedMs: d.queuedMs } : {}),
    ...(typeof d?.runMs === 'number' ? { runMs: d.runMs } : {}),
  };
}
