/**
 * Saved workflows: immutable versions named by the hash of their canonical
 * content, the latest of which runs, answers webhooks and drives schedules.
 * Storage is the repository (SQLite or PostgreSQL); schedules are Temporal's.
 */
import { createHash } from 'node:crypto';
import type { GraphSettings } from '../graph/schema';
import type { TriggerSpec } from '../graph/triggers';
import { triggerKinds, triggersOf } from '../graph/triggers';
import type { ValidationResult } from '../graph/validate';
import { formatPath } from '../graph/validate';
import type { WebhookRequest } from '../graph/run-state';
import type { TriggerKind } from '../graph/schema';
import type { WorkflowRepository } from '../store/workflow-repository';
import { hostLimitCanBind, limitCanBind } from '../graph/start-order';
import type { Graph } from '../graph/graph';
import type { NodeCatalog } from '../graph/node-type';
import type { Seeds } from '../graph/run-state';
import { pinnedRun } from './pins';
import { assertErrorWorkflow } from './on-failure';
import { assertCredentials } from './credential-refs';
import { DEFAULT_PROJECT } from '../auth/roles';
import type { LearnDurations } from './learned-durations';
import { resolveLibrary } from './library';
import { newRunId } from './run-ids';
import type { RunStore } from './run-store';
import type { Schedules } from './schedules';
import type { ValidateWorkflow } from './validation';
import { BraidError } from './errors';
import { issueFieldErrors, validationError } from './validation';

/** JSON with object keys sorted at every depth: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A version: the first 16 hex digits of the SHA-256 of the canonical definition. */
export function contentVersion(definition: unknown): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 16);
}

export interface SavedRunRequest {
  input?: unknown;
  trigger?: string;
  runId?: string;
  version?: string;
  triggerKind?: TriggerKind;
  request?: WebhookRequest;
  /** Temporal priority key (1 first … 5), over the definition's `settings.priority`. */
  priority?: number;
  /** A test run: these nodes' outputs (pins.ts). */
  pins?: Record<string, unknown>;
  /** Outputs known at start (a redrive's reused nodes). */
  seeds?: Seeds;
  /** The run this one redrives. */
  redriveOf?: string;
  /** An error workflow's run: the run whose failure started it. */
  errorOf?: string;
}

/** A saved version, parsed, with what the API needs of it. */
export interface LoadedVersion {
  name: string;
  version: string;
  definition: Record<string, unknown>;
  triggers: TriggerSpec[];
  graph: Graph;
  /** A limit can keep its nodes waiting (`maxParallel`, or a host's for two or more `http` nodes): its runs order by learned durations. */
  limitCanBind: boolean;
}

export interface SavedWorkflowsDeps {
  repository: WorkflowRepository;
  schedules: Schedules;
  runs: RunStore;
  validate: ValidateWorkflow;

  /** Whether env `BRAID_WEBHOOK_SECRET_<name>` is set. */
  hasWebhookSecret: (name: string) => boolean;
  /** Nodes' median durations in the workflow's earlier runs (learned-durations.ts); none when unset. */
  learnDurations?: LearnDurations;
  /** Every node type the API knows (pins are checked against them). */
  nodeTypes: NodeCatalog;
  /** Whether the project has a credential of this name (http nodes' `auth`); every name is unknown when unset. */
  credentialExists?: (name: string) => Promise<boolean>;
  /** The project these workflows belong to (repository, schedules and runs are that project's); default `default`. */
  project?: string;
}

const overlapOf = (definition: Record<string, unknown>) => (definition.settings as GraphSettings | undefined)?.scheduleOverlap ?? 'skip';

/** What a saved run's request adds to its start, as given. */
function startOptions(req: Omit<SavedRunRequest, 'version'>) {
  return {
    input: req.input,
    ...(req.trigger !== undefined ? { trigger: req.trigger } : {}),
    triggerKind: req.triggerKind ?? 'manual',
    ...(req.request ? { request: req.request } : {}),
    ...(req.priority === undefined ? {} : { priority: req.priority }),
    ...(req.redriveOf ? { redriveOf: req.redriveOf } : {}),
    ...(req.errorOf ? { errorOf: req.errorOf } : {}),
  };
}

/** A problem for each webhook trigger whose key is not set on this server. */
function missingWebhookKeys(graph: Graph, triggers: ReturnType<typeof triggersOf>, hasWebhookSecret: (name: string) => boolean) {
  return triggers
    .filter((t) => t.secret !== undefined && !hasWebhookSecret(t.secret))
    .map((t) => ({
      path: formatPath(['nodes', graph.indexById.get(t.id)!, 'data', 'secret']),
      message: `env BRAID_WEBHOOK_SECRET_${t.secret} is not set on the API server; set it before saving a webhook that uses it`,
    }));
}

/** The schedule triggers of a stored version (none when it no longer validates). */
function scheduleTriggerIds(result: ValidationResult): string[] {
  return result.ok
    ? triggersOf(result.graph)
        .filter((t) => t.kind === 'schedule')
        .map((t) => t.id)
    : [];
}

export function createSavedWorkflows(deps: SavedWorkflowsDeps) {
  const { repository, schedules, runs } = deps;

  const parse = (name: string, version: string, definition: unknown): LoadedVersion => {
    const result = deps.validate(definition);
    // Stored versions were valid when saved; a later release may be stricter.
    if (!result.ok) throw validationError(issueFieldErrors(result.issues), `saved version ${version} of "${name}" is no longer valid`);
    return {
      name,
      version,
      definition: definition as Record<string, unknown>,
      triggers: triggersOf(result.graph),
      graph: result.graph,
      limitCanBind: limitCanBind(result.graph) || hostLimitCanBind(result.graph),
    };
  };

  async function latest(name: string): Promise<LoadedVersion> {
    const saved = await repository.get(name);
    if (!saved) throw new BraidError('notFound', `no saved workflow "${name}"`);
    return parse(name, saved.latestVersion, saved.definition);
  }

  async function version(name: string, v: string): Promise<LoadedVersion> {
    const stored = await repository.getVersion(name, v);
    if (!stored) {
      const exists = await repository.get(name);
      throw new BraidError('notFound', exists ? `workflow "${name}" has no version "${v}"` : `no saved workflow "${name}"`);
    }
    return parse(name, v, stored.definition);
  }

  /** Starts a run of a version already loaded (a webhook has the latest in hand). */
  async function startVersion(target: LoadedVersion, req: Omit<SavedRunRequest, 'version'>) {
    const { name } = target;
    if (req.trigger !== undefined && !target.triggers.some((t) => t.id === req.trigger)) {
      throw validationError([{ path: '$.trigger', message: `"${req.trigger}" is not a trigger node of workflow "${name}" version ${target.version}` }]);
    }
    const pinned = pinnedRun(target.graph, deps.nodeTypes, req.pins);
    const seeds = { ...req.seeds, ...pinned.seeds };
    const runId = req.runId ?? newRunId(name);
    const library = await resolveLibrary(repository, target.definition, name);
    const learnedMs = target.limitCanBind && deps.learnDurations ? await deps.learnDurations(name) : {};
    const started = await runs.start({
      library,
      ...(Object.keys(learnedMs).length > 0 ? { learnedMs } : {}),
      runId,
      definition: target.definition,
      name,
      version: target.version,
      ...startOptions(req),
      ...(Object.keys(seeds).length > 0 ? { seeds } : {}),
      ...(pinned.test ? { test: true } : {}),
    });
    return { ...started, version: target.version };
  }

  return {
    latest,
    version,

    /**
     * Saves `body` under `name` (the path's name wins over the body's) and
     * makes it the latest version; then brings the workflow's schedules in
     * line with it. Saving content that exists returns its version.
     */
    async save(name: string, body: Record<string, unknown>) {
      const definition = { ...body, name };
      const result = deps.validate(definition);
      if (!result.ok) throw validationError(issueFieldErrors(result.issues));
      const triggers = triggersOf(result.graph);
      const missing = missingWebhookKeys(result.graph, triggers, deps.hasWebhookSecret);
      if (missing.length > 0) throw validationError(missing);
      await assertErrorWorkflow(repository, definition, '$', name);
      await assertCredentials(definition, deps.nodeTypes, deps.credentialExists ?? (async () => false), deps.project ?? DEFAULT_PROJECT);
      // Refs must exist and must not lead back here; schedules start with what they resolve to now.
      const library = await resolveLibrary(repository, definition, name);
      const v = contentVersion(definition);
      const saved = await repository.save(name, v, definition, triggerKinds(triggers));
      const previousTriggers = saved.previous ? parse(name, saved.previous.version, saved.previous.definition).triggers : undefined;
      await schedules.sync({ name, version: v, definition, library, triggers, overlap: overlapOf(definition) }, previousTriggers);
      return { name, version: v, created: saved.created };
    },

    /** Deletes the workflow, its versions and its schedules; runs in flight go on. */
    async delete(name: string): Promise<void> {
      const deleted = await repository.delete(name);
      if (!deleted) throw new BraidError('notFound', `no saved workflow "${name}"`);
      const triggerIds = deleted.flatMap((v) => scheduleTriggerIds(deps.validate(v.definition)));
      await schedules.removeAll(name, triggerIds);
    },

    /** Starts a run of the latest (or the given) version. */
    async startRun(name: string, req: SavedRunRequest) {
      return startVersion(req.version ? await version(name, req.version) : await latest(name), req);
    },

    startVersion,
  };
}

export type SavedWorkflows = ReturnType<typeof createSavedWorkflows>;
