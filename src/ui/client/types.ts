/** The API's shapes as the pages read them: the API's own types and schemas, as types only. */
import type { z } from 'zod';
import type { workflowSummarySchema } from '../../api/schemas';
import type { NodeState, RunStatus as GraphRunStatus } from '../../graph/run-state';
import type { GraphEdge, GraphNode } from '../../graph/schema';

export type RunStatus = GraphRunStatus;
export type NodeStatus = NodeState['status'];

/** One run view for the API, the pages, the CLI, the chaos runner and the bench (src/api/run-view.ts). */
export type { NodeView, RunSummary, RunView } from '../../runs/run-view';
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

export interface Definition {
  name?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  settings?: Record<string, unknown>;
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
