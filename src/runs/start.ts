/**
 * Starting a run of a definition sent whole (POST /v1/runs, `braid run`):
 * the definition is checked (its graph, the trigger named, its error
 * workflow, its pins), its saved subworkflows are resolved, and the run store
 * starts it, the one place a graph run starts on Temporal. Saved workflows,
 * webhooks and schedules start through saved-workflows.ts, redrives through
 * redrive.ts: the same run store start.
 */
import { TRIGGER_TYPE } from '../graph/node-type';
import type { NodeCatalog } from '../graph/node-type';
import type { GraphDefinition } from '../graph/schema';
import { DEFAULT_NAME } from '../graph/schema';
import type { WorkflowRepository } from '../store/workflow-repository';
import { resolveLibrary } from './library';
import { assertErrorWorkflow } from './on-failure';
import { assertCredentials } from './credential-refs';
import { DEFAULT_PROJECT } from '../auth/roles';
import { pinnedRun } from './pins';
import { newRunId } from './run-ids';
import type { RunStore } from './run-store';
import type { ValidateWorkflow } from './validation';
import { assertNesting, issueFieldErrors, validationError } from './validation';

/** A run of a definition as a caller asks for it (the API's StartRun body). */
export interface StartDefinition {
  workflow: GraphDefinition;
  input?: unknown;
  /** Fire only this trigger node. */
  trigger?: string;
  /** The caller's run id (an idempotency key); one is made from the name when unset. */
  runId?: string;
  priority?: number;
  /** Outputs given to nodes instead of running them: a test run. */
  pins?: Record<string, unknown>;
}

export interface StartDefinitionDeps {
  runs: Pick<RunStore, 'start'>;
  repository: WorkflowRepository;
  validate: ValidateWorkflow;
  nodeTypes: NodeCatalog;
  /** Whether the project has a credential of this name (http nodes' `auth`); every name is unknown when unset. */
  credentialExists?: (name: string) => Promise<boolean>;
  /** The project runs start in (its repository, runs and credentials are that project's); default `default`. */
  project?: string;
}

/** Starts runs of definitions sent whole; throws a BraidError (validation, conflict, not found) naming the field at fault. */
export function createDefinitionStarter(deps: StartDefinitionDeps) {
  return async function startDefinition(req: StartDefinition) {
    assertNesting(req.input, '$.input');
    const result = deps.validate(req.workflow);
    if (!result.ok) throw validationError(issueFieldErrors(result.issues, '$.workflow'));
    if (req.trigger !== undefined) {
      const node = result.graph.nodes[result.graph.indexById.get(req.trigger) ?? -1];
      if (node?.type !== TRIGGER_TYPE) {
        throw validationError([{ path: '$.trigger', message: `"${req.trigger}" is not a trigger node of this workflow` }]);
      }
    }
    await assertErrorWorkflow(deps.repository, req.workflow, '$.workflow');
    await assertCredentials(req.workflow, deps.nodeTypes, deps.credentialExists ?? (async () => false), deps.project ?? DEFAULT_PROJECT, '$.workflow');
    const pinned = pinnedRun(result.graph, deps.nodeTypes, req.pins);
    const name = req.workflow.name ?? DEFAULT_NAME;
    const library = await resolveLibrary(deps.repository, req.workflow);
    return deps.runs.start({
      runId: req.runId ?? newRunId(name),
      definition: req.workflow,
      name,
      input: req.input,
      trigger: req.trigger,
      library,
      ...(req.priority === undefined ? {} : { priority: req.priority }),
      ...pinned,
    });
  };
}

export type StartDefinitionRun = ReturnType<typeof createDefinitionStarter>;
