/** The API's shapes as the pages read them: the API's own schemas (src/api/schemas.ts), as types only. */
import type { z } from 'zod';
import type { nodeStateSchema, runSchema, runSummarySchema, workflowSummarySchema } from '../../api/schemas';
import type { NodeState, RunStatus as GraphRunStatus } from '../../graph/run-state';
import type { GraphEdge, GraphNode } from '../../graph/schema';

export type RunStatus = GraphRunStatus;
export type NodeStatus = NodeState['status'];

export type NodeView = z.infer<typeof nodeStateSchema>;
export type RunView = z.infer<typeof runSchema>;
export type RunSummary = z.infer<typeof runSummarySchema>;
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
