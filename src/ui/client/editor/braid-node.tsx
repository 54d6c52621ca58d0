/**
 * A node on the editor's canvas: its label, type and id, one target handle
 * (not on triggers), a source handle per out-edge handle of its type, the
 * API's problems as a badge, and the last run's duration.
 */
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { createContext, useContext, useEffect } from 'react';
import { formatMs } from '../format';
import { handlesOf, NO_PROBLEMS, takesInput, type FlowEdge, type FlowNode, type NodeTypeView, type PlacedProblems } from './model';

export interface LastRun {
  runId: string;
  status: string;
  durations: ReadonlyMap<string, number>;
  critical: ReadonlySet<string>;
}

export interface CanvasContext {
  catalog: ReadonlyMap<string, NodeTypeView>;
  problems: PlacedProblems;
  lastRun?: LastRun;
}

export const CanvasInfo = createContext<CanvasContext>({ catalog: new Map(), problems: NO_PROBLEMS });

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 60;

export function BraidNode({ id, data }: NodeProps<FlowNode>) {
  const { catalog, problems, lastRun } = useContext(CanvasInfo);
  const view = catalog.get(data.node.type);
  const handles = handlesOf(view, data.node);
  const nodeProblems = problems.nodes.get(id) ?? [];
  const duration = lastRun?.durations.get(id);
  const updateInternals = useUpdateNodeInternals();
  const handleKey = handles.join('|');
  useEffect(() => updateInternals(id), [id, handleKey, updateInternals]);
  return (
    <div className={`braid-node category-${view?.category ?? 'unknown'}`}>
      {takesInput(view) ? <Handle type="target" position={Position.Left} /> : null}
      <div className="braid-node-title">{data.node.label || id}</div>
      <div className="braid-node-sub">
        <span className="braid-node-type">{view?.label ?? data.node.type}</span>
        {data.node.label ? <code>{id}</code> : null}
      </div>
      {nodeProblems.length > 0 ? (
        <span
          className="braid-node-badge"
          data-problems={nodeProblems.length}
          title={nodeProblems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n')}
        >
          {nodeProblems.length}
        </span>
      ) : null}
      {duration !== undefined ? (
        <span className="braid-node-duration" data-duration-ms={Math.round(duration)} title={`Last run ${lastRun!.runId}`}>
          {formatMs(duration)}
        </span>
      ) : null}
      {handles.map((handle, i) => (
        <Handle
          key={handle ?? ''}
          type="source"
          position={Position.Right}
          id={handle ?? undefined}
          className={handle ? `named handle-${handle}` : undefined}
          style={{ top: `${((i + 1) * 100) / (handles.length + 1)}%` }}
        >
          {handle ? <span className="handle-label">{handle}</span> : null}
        </Handle>
      ))}
    </div>
  );
}

const classes = (invalid: boolean, critical: boolean) => [invalid ? 'invalid' : '', critical ? 'critical' : ''].join(' ').trim();

/** The nodes and edges as drawn: marked where the API found a problem and along the last run's critical path. */
export function marked(nodes: FlowNode[], edges: FlowEdge[], problems: PlacedProblems, lastRun: LastRun | undefined): { nodes: FlowNode[]; edges: FlowEdge[] } {
  return {
    nodes: nodes.map((n): FlowNode => {
      const invalid = problems.nodes.has(n.id);
      const critical = lastRun?.critical.has(n.id) ?? false;
      if (!invalid && !critical) return n;
      return {
        ...n,
        className: classes(invalid, critical),
        // React Flow's node element itself carries the marks (data-* attributes are HTML attributes; its type lists only named ones).
        domAttributes: { ...(invalid ? { 'data-invalid': 'true' } : {}), ...(critical ? { 'data-critical': 'true' } : {}) } as FlowNode['domAttributes'],
      };
    }),
    edges: edges.map((e) => {
      const invalid = problems.edges.has(e.id);
      const critical = lastRun !== undefined && lastRun.critical.has(e.source) && lastRun.critical.has(e.target);
      return invalid || critical ? { ...e, className: classes(invalid, critical) } : e;
    }),
  };
}
