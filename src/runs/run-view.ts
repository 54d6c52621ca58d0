/**
 * A run as the API shows it: the workflow's state (src/graph/run-state.ts)
 * with what Temporal knows beside it (origin from the memo and search
 * attributes, Temporal's clock and status) and where to answer its waiting
 * nodes. Pure: the store reads, this assembles.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { NodeState, RunState, RunStatus, Waiting } from '../graph/run-state';
import {
  NAME_SEARCH_ATTRIBUTE,
  PAUSED_SEARCH_ATTRIBUTE,
  PROJECT_SEARCH_ATTRIBUTE,
  QUEUED_SEARCH_ATTRIBUTE,
  REDRIVE_OF_SEARCH_ATTRIBUTE,
  runTiming,
  TEST_SEARCH_ATTRIBUTE,
  VERSION_SEARCH_ATTRIBUTE,
} from '../graph/run-state';
import type { TriggerKind } from '../graph/schema';
import { DEFAULT_NAME } from '../graph/schema';
import { redactSecrets } from '../graph/secrets';

export const nameSearchAttribute = defineSearchAttributeKey(NAME_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const versionSearchAttribute = defineSearchAttributeKey(VERSION_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const redriveOfSearchAttribute = defineSearchAttributeKey(REDRIVE_OF_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const testSearchAttribute = defineSearchAttributeKey(TEST_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const projectSearchAttribute = defineSearchAttributeKey(PROJECT_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const pausedSearchAttribute = defineSearchAttributeKey(PAUSED_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
export const queuedSearchAttribute = defineSearchAttributeKey(QUEUED_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

export const STATUS_BY_TEMPORAL: Record<string, RunStatus> = {
  RUNNING: 'running',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'canceled', // the client's describe() spelling
  CANCELED: 'canceled', // the proto enum's, in list answers
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'succeeded',
};

export const VISIBILITY_STATUS: Record<RunStatus, string> = {
  running: 'Running',
  // A paused run runs, as Temporal sees it (BraidPaused says the rest).
  paused: 'Running',
  queued: 'Running',
  succeeded: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

/** Which workflow a run ran, what started it, and its parent run (subworkflows), from the run's memo. */
export interface RunOrigin {
  workflow: { name: string; version: string | null };
  trigger: { id: string | null; kind: TriggerKind };
  parent: { runId: string; nodeId: string; links: { self: string } } | null;
  /** A redrive: the run it started from. */
  redriveOf: { runId: string; links: { self: string } } | null;
  /** A test run (pinned nodes). */
  test: boolean;
}

/** A node the run waits on, and where to answer it. */
export interface WaitingFor extends Waiting {
  nodeId: string;
  links: { answer: string };
}

/** A run in a list, as the visibility store knows it (the API's RunSummary schema describes it). */
export interface RunSummary {
  runId: string;
  name: string;
  version: string | null;
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
  /** A redrive: the run it started from. */
  redriveOf: string | null;
  /** A test run (pinned nodes). */
  test: boolean;
}

export type NodeView = Omit<NodeState, 'startedAt' | 'finishedAt'> & { startedAt?: string | null; finishedAt?: string | null };

export type RunView = Omit<RunState, 'startedAt' | 'finishedAt' | 'nodes' | 'queue'> &
  RunOrigin & {
    /** A queued run: its limit's key and its place in the key's queue (1 is next; null when not known). */
    queue?: { key: string; position: number | null };
    /** Nodes waiting for a decision or an event. */
    waitingFor: WaitingFor[];
    startedAt: string | null;
    finishedAt: string | null;
    nodes: Record<string, NodeView>;
    /** Runs that redrive this one (newest first). */
    redrivenBy: string[];
    links: { self: string; temporalUi: string; trace?: string };
  };

/**
 * A run as last read, with the workflow's state version (0 when it came from
 * a result or history) and which nodes changed since the snapshot it was
 * refreshed from (`null`: treat every node as changed).
 */
export interface RunSnapshot {
  view: RunView;
  version: number;
  changed: string[] | null;
}

export type RunLinks = RunView['links'];

/**
 * The view of a run from its state and Temporal's description. A closed run's
 * wall time is Temporal's (execution start to close): the workflow's clock
 * stands still within a workflow task, and local activities run inside one.
 * A terminated or timed-out run never said so itself: its error and its
 * unfinished nodes say it here.
 */
export function viewOf(runId: string, state: RunState, d: WorkflowExecutionDescription, links: RunLinks, redrivenBy: string[] = []): RunView {
  const temporalStatus = STATUS_BY_TEMPORAL[d.status.name] ?? 'failed';
  // Running, as Temporal sees it, and paused, as the run says (its state, or the search attribute it set).
  const paused = temporalStatus === 'running' && (state.status === 'paused' || d.typedSearchAttributes.get(pausedSearchAttribute) === 'true');
  const status: RunStatus = paused ? 'paused' : temporalStatus === 'running' && state.status === 'queued' ? 'queued' : temporalStatus;
  const nodes = Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, nodeView(n)]));
  // A queued run's place is asked of its admission workflow (run-reads.ts).
  const { queue, ...rest } = state;
  const view: RunView = {
    ...rest,
    ...(queue ? { queue: { key: queue.key, position: null } } : {}),
    ...originOf(d),
    waitingFor: waitingFor(runId, nodes),
    nodes,
    runId,
    status,
    startedAt: state.startedAt ?? d.startTime.toISOString(),
    finishedAt: state.finishedAt ?? d.closeTime?.toISOString() ?? null,
    redrivenBy,
    links,
  };
  if (d.closeTime) {
    const wallMs = d.closeTime.getTime() - d.startTime.getTime();
    const workMs = view.metrics.workMs ?? view.metrics.criticalPathMs ?? 0;
    view.metrics = { ...view.metrics, ...runTiming(wallMs, workMs, view.metrics.pausedMs ?? 0) };
  }
  if (status === 'terminated' || status === 'timed_out') {
    view.error ??= { type: status === 'terminated' ? 'TerminatedFailure' : 'TimeoutFailure', message: `run ${status.replace('_', ' ')}` };
    for (const node of Object.values(view.nodes)) if (node.status === 'running' || node.status === 'pending') node.status = 'canceled';
  }
  return redactSecrets(view);
}

export function waitingFor(runId: string, nodes: Record<string, NodeView>): WaitingFor[] {
  const base = `/v1/runs/${encodeURIComponent(runId)}`;
  return Object.entries(nodes)
    .filter(([, n]) => n.status === 'waiting' && n.waiting)
    .map(([nodeId, n]) => ({
      nodeId,
      ...n.waiting!,
      links: {
        answer:
          n.waiting!.kind === 'approval'
            ? `${base}/nodes/${encodeURIComponent(nodeId)}/decision`
            : `${base}/events/${encodeURIComponent(n.waiting!.event ?? '')}`,
      },
    }));
}

export function nodeView(n: NodeState): NodeView {
  return { ...n, startedAt: n.startedAt ?? null, finishedAt: n.finishedAt ?? null };
}

export function originOf(d: WorkflowExecutionDescription): RunOrigin {
  const memo = d.memo ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const kind = text(memo.triggerKind);
  const parentRunId = text(memo.parentRunId);
  const parentNodeId = text(memo.parentNodeId);
  const redriveOf = text(memo.redriveOf);
  return {
    workflow: { name: nameOf(d), version: text(d.typedSearchAttributes.get(versionSearchAttribute)) ?? text(memo.version) },
    trigger: { id: text(memo.trigger), kind: kind === 'webhook' || kind === 'schedule' ? kind : 'manual' },
    parent: parentRunId && parentNodeId ? { runId: parentRunId, nodeId: parentNodeId, links: { self: `/v1/runs/${encodeURIComponent(parentRunId)}` } } : null,
    redriveOf: redriveOf ? { runId: redriveOf, links: { self: `/v1/runs/${encodeURIComponent(redriveOf)}` } } : null,
    test: memo.test === true,
  };
}

export function nameOf(d: WorkflowExecutionDescription): string {
  const fromSa = d.typedSearchAttributes.get(nameSearchAttribute);
  if (typeof fromSa === 'string') return fromSa;
  const memo = d.memo?.name;
  return typeof memo === 'string' ? memo : DEFAULT_NAME;
}

export function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const seconds = Number(ts.seconds);
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}
