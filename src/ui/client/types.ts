/** The API's shapes as the pages read them (src/api/schemas.ts is the source of truth). */
import type { NodeState, RunStatus as GraphRunStatus } from '../../graph/run-state';
import type { GraphEdge, GraphNode } from '../../graph/schema';

export type RunStatus = GraphRunStatus;
export type NodeStatus = NodeState['status'];

export interface NodeView extends Omit<NodeState, 'startedAt' | 'finishedAt'> {
  startedAt?: string | null;
  finishedAt?: string | null;
}

export interface RunView {
  runId: string;
  name: string;
  workflow: { name: string; version: string | null };
  trigger: { id: string | null; kind: string };
  parent: { runId: string; nodeId: string } | null;
  waitingFor: { nodeId: string; kind: 'approval' | 'event'; event?: string; prompt?: string; timeoutAt?: string }[];
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
  input: unknown;
  output?: unknown;
  error?: { type: string; message: string; nodeId?: string };
  nodes: Record<string, NodeView>;
  metrics: { wallMs: number; workMs: number; efficiency: number; activityCount: number };
  links: { self: string; temporalUi: string };
}

export interface Definition {
  name?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  settings?: Record<string, unknown>;
}

export interface RunSummary {
  runId: string;
  name: string;
  version: string | null;
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkflowSummary {
  name: string;
  latestVersion: string;
  createdAt: string;
  updatedAt: string;
  triggerKinds: string[];
}

/** The layout worker's question and answer. */
export interface LayoutRequest {
  nodes: { id: string; width: number; height: number }[];
  edges: { source: string; target: string }[];
}

export interface LayoutResult {
  width: number;
  height: number;
  nodes: Record<string, { x: number; y: number }>;
  /** Per edge of the request, in order: the polyline's points. */
  edges: { x: number; y: number }[][];
  ms: number;
}
