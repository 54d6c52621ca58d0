/**
 * /v1/hooks: webhook triggers of the `default` project's saved workflows;
 * /v1/projects/:project/hooks: another project's. A delivery starts the
 * latest version with its JSON body as input, firing that trigger.
 *
 * - A trigger with `secret` is verified as its `verify` scheme says
 *   (src/api/webhook-verify.ts: `braid` by default, `github`, `stripe`,
 *   `slack`), keyed by env `BRAID_WEBHOOK_SECRET_<secret>`; the API token is
 *   neither needed nor enough. A Braid signature is used once.
 * - A trigger without one needs a credential (when API_TOKEN is set) whose
 *   principal may start runs in the project (operator or more, or an administrator).
 * - Until a delivery is verified, an unknown workflow, an unknown trigger and
 *   a bad signature answer alike (404), so nothing is revealed to a caller
 *   without the key; a caller with the API token gets the precise reason.
 * - `Idempotency-Key` (GitHub: `X-GitHub-Delivery`) makes a retried delivery
 *   answer as the first did: the key names the run, so Temporal refuses a
 *   second start. The same key with another body is a 409.
 */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { JSONValue } from 'hono/utils/types';
import { durationMs } from '../../graph/duration';
import type { WebhookRequest } from '../../graph/run-state';
import type { TriggerSpec } from '../../graph/triggers';
import { RESPOND_TIMEOUT } from '../../graph/nodes/trigger';
import { nameSlug } from '../../runs/run-ids';
import type { RunStore } from '../../runs/run-store';
import type { SavedWorkflows } from '../../runs/saved-workflows';
import { hookAcceptedSchema, problemResponse, triggerParamSchema, workflowNameParamSchema } from '../schemas';
import type { AppEnv } from '../types';
import { createRouter, parseJsonBody } from '../validation';
import { canonicalJson } from '../../graph/json';
import type { WebhookVerifyScheme } from '../../graph/schema';
import { SeenSignatures, SIGNATURE_HEADERS, verifySignature } from '../webhook-verify';
import type { UsedSignatures } from '../webhook-verify';
import { BraidError, isAlreadyStarted } from '../../runs/errors';
import type { BufferedDelivery, TriggerBuffers } from '../../runs/trigger-buffers';
import { bufferPolicy } from '../../runs/trigger-buffers';
import { assertNesting } from '../../runs/validation';
import { DEFAULT_PROJECT, idInProject, PROJECT_NAME_PATTERN } from '../../graph/project-ids';

export const SIGNATURE_HEADER = 'x-braid-signature';
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Request headers never passed to a run (credentials and signatures). */
const HIDDEN_HEADERS = new Set<string>(['authorization', 'proxy-authorization', 'cookie', ...SIGNATURE_HEADERS]);
/** What a caller without the key learns of a delivery that was not verified, whatever the reason. */
const NOT_ACCEPTED = 'no webhook accepts this delivery (unknown workflow or trigger, or a signature that is missing, stale, reused or wrong)';

const hookHeaders = z.object({
  'x-braid-signature': z.string().optional().openapi({ example: 't=1765000000,v1=5d5b09f6dcb2d53a5fffc60c4ac0d55fabdf556069d6631545f42aa6e3500f2e' }),
  'idempotency-key': z.string().max(255).optional(),
});

const hookRouteCommon = {
  method: 'post' as const,
  description:
    'Starts the latest version with the JSON body as input. `$input` is the body, plus `body`, `headers` and `query` of the request. ' +
    'Signed triggers need the signature of their `verify` scheme: `X-Braid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (braid, the default; 5 minutes, once), ' +
    '`X-Hub-Signature-256` (github), `Stripe-Signature` (stripe) or `X-Slack-Signature` with `X-Slack-Request-Timestamp` (slack); unsigned ones the API token. ' +
    'Until verified, an unknown workflow or trigger and a bad signature answer alike (404). ' +
    "`Idempotency-Key` (GitHub: `X-GitHub-Delivery`) returns the first delivery's run (200) for a retried one; the same key with another body is a 409. " +
    'A trigger with `respond: "onFinish"` answers 200 with the run\'s output once it ended (within its `timeout`, default 30 s), a run-failed problem (500) when it did not succeed, and 202 as usual when it still runs.',
  security: [{ bearerAuth: [] as string[] }, {} as Record<string, string[]>],
  responses: {
    200: {
      description: 'A delivery with this Idempotency-Key was accepted before; or, with `respond: "onFinish"`, the run\'s output',
      content: { 'application/json': { schema: z.union([hookAcceptedSchema, z.unknown().openapi({ description: "The run's output" })]) } },
    },
    202: {
      description: 'The run was durably started; for a debounced or batched trigger, the delivery joined the run its window will start (status `queued`)',
      content: { 'application/json': { schema: hookAcceptedSchema } },
    },
    400: problemResponse('Malformed JSON'),
    401: problemResponse('Bad or missing signature, or missing API token'),
    404: problemResponse('No such workflow or webhook trigger, or a signature that does not verify'),
    409: problemResponse('This Idempotency-Key came with another body'),
    429: problemResponse('The rate limit of its key refused the run (`settings.rateLimit` with `onLimit: "skip"`)'),
    413: problemResponse('Body too large'),
    415: problemResponse('Not JSON'),
    500: problemResponse('`respond: "onFinish"`: the run ended without succeeding'),
    503: problemResponse('Temporal unavailable'),
  },
};

const triggerHookRoute = createRoute({
  ...hookRouteCommon,
  path: '/{name}/{triggerId}',
  summary: 'Deliver to a webhook trigger',
  request: { params: triggerParamSchema, headers: hookHeaders },
});

const onlyHookRoute = createRoute({
  ...hookRouteCommon,
  path: '/{name}',
  summary: "Deliver to the workflow's only webhook trigger",
  request: { params: workflowNameParamSchema, headers: hookHeaders },
});

const projectParam = z.object({
  project: z
    .string()
    .regex(PROJECT_NAME_PATTERN, 'must be a project name')
    .openapi({ param: { name: 'project', in: 'path' } }),
});

const projectTriggerHookRoute = createRoute({
  ...hookRouteCommon,
  path: '/{project}/hooks/{name}/{triggerId}',
  summary: 'Deliver to a webhook trigger of another project than `default`',
  request: { params: triggerParamSchema.merge(projectParam), headers: hookHeaders },
});

const projectOnlyHookRoute = createRoute({
  ...hookRouteCommon,
  path: '/{project}/hooks/{name}',
  summary: "Deliver to the only webhook trigger of another project's workflow",
  request: { params: workflowNameParamSchema.merge(projectParam), headers: hookHeaders },
});

function requestOf(c: Context<AppEnv>): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.header())) if (!HIDDEN_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  const query: Record<string, string | string[]> = {};
  for (const [k, values] of Object.entries(c.req.queries())) query[k] = values.length === 1 ? values[0]! : values;
  return { headers, query };
}

export interface HooksRoutesDeps {
  /** A project's saved workflows and runs. */
  inProject: (project: string) => { saved: SavedWorkflows; runs: RunStore };
  /** The API token check (undefined: no API_TOKEN, the API is open). */
  auth?: MiddlewareHandler<AppEnv>;
  /** After `auth`: whether its principal may start runs in the project (unsigned triggers); yes when unset. */
  mayRun?: (c: Context<AppEnv>, project: string) => Promise<boolean>;
  /** Whether the caller holds a credential (then it may learn why a delivery was refused); yes when unset. */
  authenticated?: (c: Context<AppEnv>) => Promise<boolean>;
  /** The value of env `BRAID_WEBHOOK_SECRET_<name>`. */
  secret: (name: string) => string | undefined;
  /** Signatures used before (Braid's database, shared by replicas); this process's memory when unset. */
  usedSignatures?: UsedSignatures;
  /** Unix seconds now (tests). */
  nowS?: () => number;
  /** Debounced and batched triggers' windows (without it, such triggers start a run per delivery). */
  buffers?: TriggerBuffers;
  /** Counts a delivery that joined a window (metrics). */
  onBuffered?: (workflow: string, mode: 'debounce' | 'batch') => void;
}

/** The run a delivery with an Idempotency-Key (or a scheme's delivery id) starts: the same key, the same run. */
function hookRunId(project: string, name: string, triggerId: string, key: string): string {
  return idInProject(project, `${nameSlug(name)}-hook-${createHash('sha256').update(`${name}\n${triggerId}\n${key}`).digest('hex').slice(0, 32)}`);
}

/** Hands a delivery to its trigger's debounce or batch window (src/runs/trigger-buffers.ts). */
function joinWindow(buffers: TriggerBuffers, d: Omit<BufferedDelivery, 'deliveryKey'> & { deliveryKey: string | undefined }) {
  const { deliveryKey, ...rest } = d;
  return buffers.deliver({ ...rest, ...(deliveryKey ? { deliveryKey } : {}) });
}

/** The run holding the key of a run its concurrency limit refused (`onLimit: "skip"`), or undefined for any other error. */
function refusedFor(err: unknown): string | undefined {
  if (!(err instanceof BraidError) || err.kind !== 'conflict') return undefined;
  const heldBy = (err.extra.admission as { heldBy?: string } | undefined)?.heldBy;
  return typeof heldBy === 'string' ? heldBy : undefined;
}

/** The webhook trigger a delivery names (`triggerId`), or the workflow's only one; 404 otherwise. */
function webhookTrigger<T extends { kind: string; id: string }>(triggers: readonly T[], name: string, triggerId: string | undefined): T {
  const webhooks = triggers.filter((t) => t.kind === 'webhook');
  let trigger;
  if (triggerId === undefined) {
    if (webhooks.length !== 1) {
      throw new BraidError(
        'notFound',
        webhooks.length === 0
          ? `workflow "${name}" has no webhook trigger`
          : `workflow "${name}" has ${webhooks.length} webhook triggers; POST to /v1/hooks/${name}/<triggerId> (${webhooks.map((t) => t.id).join(', ')})`,
      );
    }
    trigger = webhooks[0]!;
  } else {
    trigger = webhooks.find((t) => t.id === triggerId);
    if (!trigger) throw new BraidError('notFound', `workflow "${name}" has no webhook trigger "${triggerId}"`);
  }
  return trigger;
}

/** Checks a delivery: its signature (once, for schemes that say so), or for an unsigned trigger the caller's credential and role; its delivery id, if the scheme has one. */
async function checkDelivery(
  c: Context<AppEnv>,
  project: string,
  trigger: TriggerSpec,
  raw: Uint8Array,
  deps: Pick<HooksRoutesDeps, 'secret' | 'auth' | 'mayRun'> & { seen: Pick<SeenSignatures, 'firstUse'>; nowS: () => number },
): Promise<string | undefined> {
  if (trigger.secret !== undefined) {
    const key = deps.secret(trigger.secret);
    const scheme: WebhookVerifyScheme = trigger.verify ?? 'braid';
    const verdict =
      key === undefined
        ? { ok: false as const, why: 'its key is not set on this server' }
        : verifySignature(scheme, key, raw, (h) => c.req.header(h), deps.nowS());
    if (!verdict.ok) throw new BraidError('unauthorized', `the delivery's ${scheme} signature does not verify: ${verdict.why}`);
    if (verdict.replayKey !== undefined && !(await deps.seen.firstUse(verdict.replayKey, deps.nowS()))) {
      throw new BraidError('unauthorized', `the delivery's ${scheme} signature was used before`);
    }
    return verdict.deliveryId;
  }
  if (deps.auth) {
    await deps.auth(c, async () => undefined);
    if (deps.mayRun && !(await deps.mayRun(c, project))) throw new BraidError('notFound', NOT_ACCEPTED);
  }
  return undefined;
}

export function hooksRoutes(deps: HooksRoutesDeps) {
  const seen = deps.usedSignatures ?? new SeenSignatures();
  const nowS = deps.nowS ?? (() => Math.floor(Date.now() / 1000));
  const authenticated = deps.authenticated ?? (async () => true);
  const mayKnow = async (c: Context<AppEnv>, project: string) => (await authenticated(c)) && (deps.mayRun ? await deps.mayRun(c, project) : true);

  async function deliver(c: Context<AppEnv>, project: string, name: string, triggerId?: string) {
    try {
      return await verifiedDelivery(c, project, name, triggerId);
    } catch (err) {
      // Only a caller who may start runs in the project learns why (a member of another project learns nothing of this one).
      if (err instanceof BraidError && (err.kind === 'notFound' || err.kind === 'unauthorized') && !(await mayKnow(c, project))) {
        throw new BraidError('notFound', NOT_ACCEPTED);
      }
      throw err;
    }
  }

  async function verifiedDelivery(c: Context<AppEnv>, project: string, name: string, triggerId?: string) {
    const { saved, runs } = deps.inProject(project);
    const latest = await saved.latest(name);
    const trigger = webhookTrigger(latest.triggers, name, triggerId);

    const raw = new Uint8Array(await c.req.arrayBuffer());
    const deliveryId = await checkDelivery(c, project, trigger, raw, { ...deps, seen, nowS });

    const input = parseJsonBody(new TextDecoder().decode(raw));
    assertNesting(input, '$');

    const key = c.req.header(IDEMPOTENCY_HEADER) ?? deliveryId;
    const runId = key ? hookRunId(project, name, trigger.id, key) : undefined;
    const accepted = (id: string, status: z.infer<typeof hookAcceptedSchema>['status'], duplicate: boolean, version: string) => ({
      runId: id,
      status,
      workflow: { name, version },
      trigger: trigger.id,
      duplicate,
      links: runs.links(id),
    });
    // Debounced or batched: the delivery joins its key's window; the run starts when the window closes.
    if (deps.buffers && bufferPolicy(trigger)) {
      const window = { project, workflow: name, version: latest.version, trigger, body: input, request: requestOf(c), deliveryKey: key };
      const joined = await joinWindow(deps.buffers, window);
      deps.onBuffered?.(name, joined.mode);
      return c.json({ ...accepted(joined.runId, 'queued', false, latest.version), deliveries: joined.deliveries }, 202, {
        location: runs.links(joined.runId).self,
      });
    }
    try {
      const started = await saved.startVersion(latest, {
        input,
        trigger: trigger.id,
        triggerKind: 'webhook',
        request: requestOf(c),
        ...(runId ? { runId } : {}),
      });
      if (trigger.respond === 'onFinish') {
        const finished = await finishedRun(runs, c, started.runId, trigger);
        if (finished) return c.json(finished.output, 200, finished.headers);
      }
      return c.json(accepted(started.runId, 'running', false, started.version), 202, { location: started.links.self });
    } catch (err) {
      // Refused by its concurrency limit (`onLimit: "skip"`): a duplicate of the run that holds the key.
      const heldBy = refusedFor(err);
      if (heldBy) return c.json(accepted(heldBy, 'running', true, latest.version), 200, { location: runs.links(heldBy).self });
      if (runId && isAlreadyStarted(err)) {
        // The same key with another body is not a retry: refuse it rather than answer with another delivery's run.
        const earlier = await runs.get(runId);
        if (canonicalJson(earlier.input ?? null) !== canonicalJson(input ?? null)) {
          throw new BraidError('conflict', 'this Idempotency-Key was used with another body');
        }
        // A retried delivery gets what the first one got (or would have, had it waited).
        const finished = trigger.respond === 'onFinish' ? await finishedRun(runs, c, runId, trigger) : undefined;
        if (finished) return c.json(finished.output, 200, finished.headers);
        return c.json(accepted(runId, earlier.status, true, earlier.workflow.version ?? latest.version), 200, { location: earlier.links.self });
      }
      throw err;
    }
  }

  const defaultProject = createRouter()
    .openapi(triggerHookRoute, async (c) => {
      const { name, triggerId } = c.req.valid('param');
      return deliver(c, DEFAULT_PROJECT, name, triggerId);
    })
    .openapi(onlyHookRoute, async (c) => deliver(c, DEFAULT_PROJECT, c.req.valid('param').name));
  const anyProject = createRouter()
    .openapi(projectTriggerHookRoute, async (c) => {
      const { project, name, triggerId } = c.req.valid('param');
      return deliver(c, project, name, triggerId);
    })
    .openapi(projectOnlyHookRoute, async (c) => {
      const { project, name } = c.req.valid('param');
      return deliver(c, project, name);
    });
  return { defaultProject, anyProject };
}

/**
 * `respond: "onFinish"`: once the run ended (within the trigger's timeout),
 * its output for a 200, or a run-failed problem when it did not succeed;
 * undefined when it still runs (the delivery is then answered 202).
 */
async function finishedRun(
  runs: Pick<RunStore, 'waitForEnd' | 'get'>,
  c: Context<AppEnv>,
  runId: string,
  trigger: TriggerSpec,
): Promise<{ output: JSONValue; headers: Record<string, string> } | undefined> {
  const waitMs = trigger.timeout === undefined ? RESPOND_TIMEOUT.defaultMs : durationMs(trigger.timeout);
  if (!(await runs.waitForEnd(runId, waitMs, c.req.raw.signal))) return undefined;
  const run = await runs.get(runId);
  const headers = { location: run.links.self, 'x-braid-run-id': runId };
  if (run.status !== 'succeeded') {
    throw new BraidError('runFailed', `run ${runId} ${run.status.replace('_', ' ')}${run.error ? `: ${run.error.message}` : ''}`, {
      runId,
      runStatus: run.status,
      ...(run.error ? { error: run.error } : {}),
      links: run.links,
      headers,
    });
  }
  return { output: (run.output ?? null) as JSONValue, headers };
}
