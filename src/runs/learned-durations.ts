/**
 * Learned node durations for a saved workflow's next run: before the run
 * starts, the succeeded runs that finished since the newest one recorded are
 * read once (their final states, from Temporal) into Braid's database, and
 * each node's median `runMs` over the newest 20 is handed to the run as an
 * input (`learnedMs`), so the interpreter's start order replays the same.
 * Asked only for graphs whose limits can bind (`maxParallel`, or a host's for two or more `http` nodes); a failure here never
 * fails a start: the run then orders by the `estimate` fields and depth.
 */
import type { Logger } from '../logger';
import type { NodeDurations } from '../store/node-durations';
import { LEARNED_RUNS } from '../store/node-durations';
import type { RunStore } from './run-store';
import { DEFAULT_PROJECT, idInProject } from '../graph/project-ids';

export type LearnDurations = (workflow: string) => Promise<Record<string, number>>;

/** `runs` lists one project's runs; `project` keys its durations apart from another project's workflow of the same name. */
export function createDurationLearning(
  durations: NodeDurations,
  runs: Pick<RunStore, 'list' | 'get'>,
  logger?: Logger,
  project: string = DEFAULT_PROJECT,
): LearnDurations {
  return async (name) => {
    const workflow = idInProject(project, name);
    try {
      const since = await durations.newest(workflow);
      const { runs: finished } = await runs.list({ workflow: name, status: 'succeeded', limit: LEARNED_RUNS, ...(since ? { closedAfter: since } : {}) });
      for (const r of finished) {
        const run = await runs.get(r.runId);
        const runMs = Object.fromEntries(
          Object.entries(run.nodes).flatMap(([id, n]) => (n.status === 'succeeded' && n.runMs !== undefined ? [[id, n.runMs]] : [])),
        );
        // The close time visibility filters on, so the next read starts after this run.
        await durations.record(workflow, r.runId, r.finishedAt ?? run.finishedAt ?? new Date(0).toISOString(), runMs);
      }
      return await durations.medians(workflow);
    } catch (err) {
      logger?.warn('could not learn node durations; the run orders by estimates and depth', { workflow, error: (err as Error).message });
      return {};
    }
  };
}
