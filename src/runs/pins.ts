/** A test run's pins (`"pins": { nodeId: output }`) as the run's seeds, or a 422 naming every pin that is wrong. */
import type { Graph } from '../graph/graph';
import type { NodeCatalog } from '../graph/node-type';
import type { Seeds } from '../graph/run-state';
import { pinSeeds } from '../graph/seeds';
import { validationError } from './validation';

/** Seeds and the test mark for a run with pins; nothing for a run without. */
export function pinnedRun(graph: Graph, types: NodeCatalog, pins: Readonly<Record<string, unknown>> | undefined): { seeds?: Seeds; test?: true } {
  if (pins === undefined) return {};
  const result = pinSeeds(graph, types, pins);
  if ('problems' in result) throw validationError(result.problems);
  return { seeds: result.seeds, test: true };
}
