/**
 * The run domain wired once: validation with every node type the API knows
 * and the operator's policy, Temporal Schedules, saved workflows, redrive and
 * starting a definition sent whole. The API's composition root
 * (`createAppServices`) builds it; the worker builds it for bulk redrives
 * (src/runs/bulk.ts), so both run the same code on the same wiring.
 */
import type { Client } from '@temporalio/client';
import { validateWorkflow } from '../graph/triggers';
import type { WorkflowPolicy } from '../graph/workflow-policy';
import { policyIssues } from '../graph/workflow-policy';
import type { NodeTypeRegistry } from '../node-types';
import type { WorkflowRepository } from '../store/workflow-repository';
import { catalogWithCustom } from '../graph/nodes';
import { withSourceChecks } from '../code/compile';
import type { LearnDurations } from './learned-durations';
import { createRedrive } from './redrive';
import type { RunStore } from './run-store';
import { createSavedWorkflows } from './saved-workflows';
import { createSchedules } from './schedules';
import { createDefinitionStarter } from './start';
import type { ValidateWorkflow } from './validation';

export interface RunServicesDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  temporalUiUrl: string;
  claimCheck?: boolean;
  runs: RunStore;
  repository: WorkflowRepository;
  /** Custom node types (BRAID_NODE_TYPES). */
  nodeTypes: NodeTypeRegistry;
  /** Whether env `BRAID_WEBHOOK_SECRET_<name>` (a webhook verification key) is set. */
  hasWebhookSecret: (name: string) => boolean;
  /** ACTIVITY_ALLOWLIST entries (src/graph/workflow-policy.ts). */
  activityAllowlist: readonly string[];
  learnDurations?: LearnDurations;
  /** Whether the project has a credential of this name (http nodes' `auth`). */
  credentialExists?: (name: string) => Promise<boolean>;
  /** The project these services act in: `runs`, `repository` and `credentialExists` must be that project's. Default `default`. */
  project?: string;
}

export function createRunServices(deps: RunServicesDeps) {
  const types = withSourceChecks(catalogWithCustom(deps.nodeTypes.values()));
  const policy: WorkflowPolicy = {
    activityAllowlist: deps.activityAllowlist,
    taskQueue: deps.taskQueue,
    isWebhookKey: deps.hasWebhookSecret,
  };
  const validate: ValidateWorkflow = (definition) => {
    const result = validateWorkflow(definition, types);
    const refused = policyIssues(definition, policy, types);
    if (refused.length === 0) return result;
    return { ok: false, issues: [...(result.ok ? [] : result.issues), ...refused] };
  };
  const schedules = createSchedules({
    client: deps.client,
    taskQueue: deps.taskQueue,
    namespace: deps.namespace,
    temporalUiUrl: deps.temporalUiUrl,
    runs: deps.runs,
    nodeTypes: [...deps.nodeTypes.keys()],
    claimCheck: deps.claimCheck,
    ...(deps.project ? { project: deps.project } : {}),
  });
  const saved = createSavedWorkflows({
    repository: deps.repository,
    schedules,
    runs: deps.runs,
    validate,
    nodeTypes: types,
    hasWebhookSecret: deps.hasWebhookSecret,
    ...(deps.credentialExists ? { credentialExists: deps.credentialExists } : {}),
    ...(deps.learnDurations ? { learnDurations: deps.learnDurations } : {}),
    ...(deps.project ? { project: deps.project } : {}),
  });
  const redrive = createRedrive({ runs: deps.runs, saved, validate, nodeTypes: types });
  const startDefinition = createDefinitionStarter({
    runs: deps.runs,
    repository: deps.repository,
    validate,
    nodeTypes: types,
    ...(deps.credentialExists ? { credentialExists: deps.credentialExists } : {}),
    ...(deps.project ? { project: deps.project } : {}),
  });
  return { types, validate, schedules, saved, redrive, startDefinition, runs: deps.runs, repository: deps.repository };
}
