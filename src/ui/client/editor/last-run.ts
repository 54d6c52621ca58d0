/**
 * The last run of a saved workflow, as the editor draws it: each node's own
 * work (`runMs`) and the critical path through the graph as it is now.
 */
import { buildGraph, type GraphInput } from '../../../graph/graph';
import { criticalPath } from '../../../graph/critical-path';
import { api, runPath } from '../api';
import type { RunSummary, RunView } from '../types';
import type { LastRun } from './braid-node';
import type { Definition } from './model';

/** The newest finished run (or the newest run, when none has finished), or undefined when it never ran. */
export async function lastRunOf(workflow: string, def: Definition): Promise<LastRun | undefined> {
  const { runs } = await api<{ runs: RunSummary[] }>(`/v1/runs?workflow=${encodeURIComponent(workflow)}&limit=10`);
  const summary = runs.find((r) => r.status !== 'running') ?? runs[0];
  if (!summary) return undefined;
  const run = await api<RunView>(runPath(summary.runId));
  const durations = new Map<string, number>();
  for (const [id, node] of Object.entries(run.nodes)) if (node.runMs !== undefined) durations.set(id, node.runMs);
  let critical = new Set<string>();
  try {
    const graph = buildGraph(def as unknown as GraphInput);
    critical = new Set(
      criticalPath(
        graph,
        graph.nodes.map((n) => durations.get(n.id)),
      ).path,
    );
  } catch {
    // The graph as drawn does not build (a problem the validation shows): durations only.
  }
  return { runId: summary.runId, status: summary.status, durations, critical };
}
