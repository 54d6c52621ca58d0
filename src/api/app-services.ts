/**
 * The composition root's services: built once from the API's dependencies.
 * src/api.ts starts their background loops; createApp routes to them.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_PROJECT } from '../auth/roles';
import { webhookKey } from '../config';
import { createDurationLearning } from '../runs/learned-durations';
import { createErrorWorkflows } from '../runs/error-workflows';
import type { RunStore } from '../runs/run-store';
import { createRunStore, runStoreInProject } from '../runs/run-store';
import { createTriggerBuffers } from '../runs/trigger-buffers';
import { createRunServices } from '../runs/services';
import { createAuditLog } from '../store/audit-log';
import { createCredentialStore } from '../store/credentials';
import { openDatabase } from '../store/database';
import { createKeyStore } from '../store/keys';
import { createProjectStore } from '../store/projects';
import { createWorkflowRepository } from '../store/workflow-repository';
import { ADHOC_LABEL, createMetrics } from './metrics';
import type { AppDeps } from './types';

/**
 * The services behind the API, built once: the run store (every start
 * counted in the metrics), saved workflows, schedules, redrive, validation.
 * The composition root (src/api.ts) builds them, starts their background
 * loops (error workflows) and hands them to createApp.
 */
export function createAppServices(deps: AppDeps) {
  const { config, logger } = deps;
  const nodeTypeNames = [...(deps.nodeTypes?.keys() ?? [])];
  const runStore =
    deps.runStore ??
    createRunStore({
      client: deps.client,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(config.flowTaskQueue ? { flowTaskQueue: config.flowTaskQueue } : {}),
      ...(config.otelTraceUrl ? { traceUrl: config.otelTraceUrl } : {}),
      temporalUiUrl: config.temporalUiUrl,
      nodeTypes: nodeTypeNames,
      claimCheck: deps.claimCheck,
    });
  const metrics = createMetrics(runStore, { claim: deps.countedRuns?.claim, hostLimits: deps.hostLimits });
  // Every start through the API counts (runs, saved workflows, webhooks), test runs (pinned nodes) aside.
  const store: RunStore = {
    ...runStore,
    start: async (req) => {
      // Label values stay bounded: a saved workflow's name, else one value for every ad-hoc graph.
      const label = req.version ? req.name : ADHOC_LABEL;
      let started;
      try {
        started = await runStore.start(req);
      } catch (err) {
        const refused = (err as { extra?: { admission?: { kind: string } } }).extra?.admission;
        if (refused) metrics.runAdmitted(label, refused.kind === 'rate' ? 'rate_limited' : 'skipped');
        throw err;
      }
      // Once per run, as its last limit said (by the start that took it in first).
      const admitted = started.admissions?.at(-1);
      if (admitted?.first) metrics.runAdmitted(label, admitted.outcome);
      if (!req.test) metrics.runStarted(label, req.triggerKind ?? 'manual');
      return started;
    },
  };
  // Tests without a database get one in memory for saved workflows and the audit log.
  const memory =
    deps.repository && deps.auditLog && deps.keys && deps.credentials && deps.projects
      ? undefined
      : openDatabase({ kind: 'sqlite', file: ':memory:' }).then((d) => d.db);
  const repository = deps.repository ?? createWorkflowRepository(memory!);
  const auditLog = deps.auditLog ?? createAuditLog(memory!);
  const keys = deps.keys ?? createKeyStore(memory!);
  const projects = deps.projects ?? createProjectStore(memory!);
  const credentials = deps.credentials ?? createCredentialStore(memory!, randomBytes(32));
  // Webhook verification keys: BRAID_WEBHOOK_SECRET_*, never BRAID_SECRET_* (which workflows read).
  const secret = deps.secret ?? ((name: string) => webhookKey(name));
  // One validation for every route (built-in node types, custom ones from BRAID_NODE_TYPES, triggers), schedules, saved workflows, redrive.
  // Each project gets its own: its saved workflows, schedules, credentials and runs, and nothing else (built once per project).
  const scoped = new Map<string, ReturnType<typeof createRunServices>>();
  const inProject = (project: string) => {
    let services = scoped.get(project);
    if (!services) {
      const runs = runStoreInProject(store, project);
      services = createRunServices({
        client: deps.client,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        temporalUiUrl: config.temporalUiUrl,
        claimCheck: deps.claimCheck,
        runs,
        repository: repository.inProject(project),
        nodeTypes: deps.nodeTypes ?? new Map(),
        hasWebhookSecret: (name) => secret(name) !== undefined,
        activityAllowlist: config.activityAllowlist ?? [],
        credentialExists: async (name) => (await credentials.get(project, name)) !== undefined,
        project,
        ...(deps.nodeDurations ? { learnDurations: createDurationLearning(deps.nodeDurations, runs, logger, project) } : {}),
      });
      scoped.set(project, services);
    }
    return services;
  };
  const run = inProject(DEFAULT_PROJECT);
  /** Error workflows (settings.onFailure): a look every `intervalMs` for runs that failed, timed out or were terminated, until `signal`. */
  const watchErrorWorkflows = (intervalMs: number, signal: AbortSignal, pageSize?: number) =>
    createErrorWorkflows({ client: deps.client, namespace: config.namespace, runs: store, savedIn: (p) => inProject(p).saved, logger, pageSize }).watch(
      intervalMs,
      signal,
    );
  // Debounced and batched webhook triggers' windows, in Temporal.
  const buffers = createTriggerBuffers({ client: deps.client, taskQueue: config.flowTaskQueue ?? config.taskQueue });
  return { ...run, inProject, metrics, store, repository, auditLog, keys, credentials, projects, secret, watchErrorWorkflows, buffers };
}

export type AppServices = ReturnType<typeof createAppServices>;
