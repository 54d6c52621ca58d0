/**
 * Redrive (POST /v1/runs/:runId/redrive): a new run of a finished one that
 * reuses the outputs of every node that succeeded and is not to run again
 * (src/graph/seeds.ts `redriveSeeds`), so only what failed, and what is
 * below it, runs. Like Step Functions' RedriveExecution and Argo's retry,
 * the original run stays as it ended; the new one says where it came from
 * (`redriveOf`, a search attribute the run list filters on).
 */
import type { RunTraceInput } from '../graph/trace-ids';
import { formatTraceparent, runSpanIds } from '../graph/trace-ids';
import { runTraceContext } from '../telemetry/tracing';
import { isLive } from '../graph/run-state';
import type { NodeCatalog } from '../graph/node-type';
import { changedNodes, redriveSeeds } from '../graph/seeds';
import { RUN_ID_PATTERN } from './run-id-pattern';
import type { RunStore } from './run-store';
import type { SavedWorkflows } from './saved-workflows';
import type { ValidateWorkflow } from './validation';
import { BraidError } from './errors';
import { issueFieldErrors, validationError } from './validation';

export interface RedriveRequest {
  /** Run these nodes again, and everything downstream, whatever they did. */
  fromNodes?: string[];
  /** A new input (nodes that read it run again). Absent: the original's. */
  input?: unknown;
  /** `same` (default): the version the run ran; `latest`: the saved workflow's latest, reusing the nodes it left unchanged. */
  version?: 'same' | 'latest';
  /** The new run's id (default `<runId>-r<n>`, the first n free). */
  runId?: string;
}

export interface RedriveDeps {
  runs: RunStore;
  saved: SavedWorkflows;
  validate: ValidateWorkflow;
  nodeTypes: NodeCatalog;
}

const REDRIVABLE = new Set(['failed', 'canceled', 'terminated', 'timed_out']);

export function createRedrive({ runs, saved, validate, nodeTypes }: RedriveDeps) {
  /** `<runId>-r1`, `-r2`, …: the first id no workflow has. */
  async function nextId(runId: string): Promise<string> {
    for (let n = 1; n <= 1000; n++) {
      const id = `${runId}-r${n}`;
      if (!RUN_ID_PATTERN.test(id)) break;
      if (!(await runs.exists(id))) return id;
    }
    throw validationError([{ path: '$.runId', message: `no free id of the form "${runId}-r<n>": give the new run a runId` }]);
  }

  return async function redrive(runId: string, req: RedriveRequest) {
    const original = await runs.get(runId);
    if (isLive(original.status))
      throw new BraidError('conflict', `the run is still ${original.status}: cancel it first, or wait for it to end`, { links: original.links });
    if (!REDRIVABLE.has(original.status) && !(req.fromNodes && req.fromNodes.length > 0)) {
      throw new BraidError('conflict', `the run ${original.status}: redrive it with fromNodes to run those nodes again`, { links: original.links });
    }
    const args = await runs.startArgs(runId);
    const version = original.workflow.version;
    if (req.version === 'latest' && version === null) {
      throw validationError([{ path: '$.version', message: 'the run did not start from a saved workflow, so it has no latest version' }]);
    }
    const target =
      version === null
        ? undefined
        : req.version === 'latest'
          ? await saved.latest(original.workflow.name)
          : await saved.version(original.workflow.name, version);
    const definition = target?.definition ?? args.definition;
    const result = validate(definition);
    if (!result.ok) throw validationError(issueFieldErrors(result.issues, '$.workflow'), 'the definition to redrive is no longer valid');
    const unknown = (req.fromNodes ?? []).flatMap((id, i) =>
      result.graph.indexById.has(id) ? [] : [{ path: `$.fromNodes[${i}]`, message: `"${id}" is not a node of this workflow` }],
    );
    if (unknown.length > 0) throw validationError(unknown);

    const seeds = redriveSeeds(
      result.graph,
      original.nodes,
      runId,
      {
        ...(req.fromNodes ? { fromNodes: req.fromNodes } : {}),
        inputChanged: req.input !== undefined,
        ...(target && target.version !== version ? { changed: changedNodes(args.definition, target.definition) } : {}),
        outputsOmitted: original.outputsOmitted === true,
      },
      nodeTypes,
    );
    const input = req.input !== undefined ? req.input : (args.input ?? null);
    const newId = req.runId ?? (await nextId(runId));
    const common = {
      runId: newId,
      input,
      ...(args.trigger ? { trigger: args.trigger } : {}),
      redriveOf: runId,
      ...(Object.keys(seeds).length > 0 ? { seeds } : {}),
      ...redriveTrace(runId, args.trace),
    };
    const started = target
      ? await saved.startVersion(target, common)
      : await runs.start({
          ...common,
          definition,
          name: original.workflow.name,
          ...(args.library ? { library: args.library } : {}),
          ...(args.learnedMs ? { learnedMs: args.learnedMs } : {}),
        });
    // Whole nodes reused; a forEach that reruns only some items is not listed (its state shows reusedItems).
    const reused = Object.entries(seeds).flatMap(([id, seed]) => (seed.items ? [] : [id]));
    return { runId: started.runId, redriveOf: runId, reused, links: started.links };
  };
}

export type Redrive = ReturnType<typeof createRedrive>;

/** A traced redrive's context: the request's, with a link to the run it redrives (that run's span, when it was traced). */
function redriveTrace(runId: string, original: RunTraceInput | undefined): { trace?: RunTraceInput } {
  const trace = runTraceContext();
  if (!trace) return {};
  return { trace: { ...trace, ...(original ? { links: [formatTraceparent(runSpanIds(runId, original))] } : {}) } };
}
