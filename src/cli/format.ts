/** What the CLI prints, as pure functions of what the API answered. */
import Table from 'cli-table3';
import type { RunSummary, RunView } from '../runs/run-store';
import { isLive } from '../graph/run-state';

export const EXIT = { ok: 0, failed: 1, error: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Node states that will not change again. */
export const FINISHED_NODE: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'canceled']);

/** 0 for a run that succeeded or has not ended (running, paused or queued), 1 for one that failed, was canceled, terminated or timed out. */
export function exitFor(run: Pick<RunView, 'status'>): ExitCode {
  return run.status === 'succeeded' || isLive(run.status) ? EXIT.ok : EXIT.failed;
}

export function nodeTable(run: Pick<RunView, 'nodes'>): string {
  const table = new Table({ head: ['node', 'status', 'attempts', 'queued ms', 'run ms', 'error'], style: { head: [], border: [] } });
  for (const [id, n] of Object.entries(run.nodes)) {
    table.push([
      id,
      n.status,
      n.attempts ?? 0,
      n.queuedMs ?? '',
      n.runMs ?? '',
      n.error ? `${n.error.type ?? 'Error'}: ${n.error.message ?? ''}`.slice(0, 80) : '',
    ]);
  }
  return table.toString();
}

/** A run: its status, timing, error, where to see it, and its nodes. */
export function runSummary(run: RunView, baseUrl: string): string {
  return [
    `${run.runId}  ${run.status}  (${run.name})`,
    run.metrics?.wallMs !== undefined ? `wall ${run.metrics.wallMs} ms, work ${run.metrics.workMs ?? 0} ms, efficiency ${run.metrics.efficiency ?? 0}` : '',
    run.error?.message ? `error: ${run.error.message}` : '',
    `Run page: ${baseUrl}/runs/${encodeURIComponent(run.runId)}`,
    run.links?.temporalUi ? `Temporal Web UI: ${run.links.temporalUi}` : '',
    nodeTable(run),
  ]
    .filter(Boolean)
    .join('\n');
}

export function runListTable(runs: readonly Pick<RunSummary, 'runId' | 'name' | 'status' | 'startedAt' | 'finishedAt'>[]): string {
  const table = new Table({ head: ['run', 'workflow', 'status', 'started', 'duration'], style: { head: [], border: [] } });
  for (const r of runs) {
    const ms = r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : undefined;
    table.push([r.runId, r.name, r.status, r.startedAt ?? '', ms === undefined ? '' : `${ms} ms`]);
  }
  return table.toString();
}

export function validText(stats: Record<string, number>): string {
  return `valid: ${Object.entries(stats)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}`;
}

export function invalidText(errors: readonly { path: string; message: string }[]): string {
  return [`invalid: ${errors.length} problem(s)`, ...errors.map((e) => `  ${e.path}: ${e.message}`)].join('\n');
}
