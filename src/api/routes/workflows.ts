/**
 * /v1/workflows: validate a definition; save, read, list and delete saved
 * workflows and their versions; start runs of them; see and steer their
 * schedules.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../problem';
import type { RunStore } from '../run-store';
import type { SavedWorkflows } from '../saved-workflows';
import type { Schedules } from '../schedules';
import { scheduleId } from '../schedules';
import type { WorkflowRepository } from '../../store/workflow-repository';
import {
  listWorkflowsQuerySchema,
  problemResponse,
  runStartedSchema,
  savedVersionSchema,
  scheduleActionBodySchema,
  scheduleListSchema,
  startSavedRunBodySchema,
  triggerParamSchema,
  validateOkSchema,
  workflowDefinitionSchema,
  workflowDetailSchema,
  workflowListSchema,
  workflowNameParamSchema,
  workflowVersionParamSchema,
} from '../schemas';
import { startedAnswer } from '../started';
import { assertNesting, createRouter, issueFieldErrors, parseJsonBody, validationError, zodFieldErrors } from '../validation';

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const security = [{ bearerAuth: [] }];

const validateRoute = createRoute({
  method: 'post',
  path: '/validate',
  summary: 'Validate a definition',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: workflowDefinitionSchema } } } },
  responses: {
    200: json('The definition is valid', validateOkSchema),
    422: problemResponse('Every problem found'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'List saved workflows by name',
  security,
  request: { query: listWorkflowsQuerySchema },
  responses: { 200: json('A page of saved workflows', workflowListSchema), 422: problemResponse('Bad query') },
});

const putRoute = createRoute({
  method: 'put',
  path: '/{name}',
  summary: 'Save a version of a workflow',
  description:
    'Stores the definition as a new immutable version named by the hash of its canonical JSON and makes it the latest. ' +
    'Saving content that was saved before answers 200 with that version (and makes it the latest again). ' +
    "The path's name replaces the body's. Schedule triggers become Temporal Schedules.",
  security,
  request: {
    params: workflowNameParamSchema,
    body: { required: true, content: { 'application/json': { schema: workflowDefinitionSchema } } },
  },
  responses: {
    200: json('This content was saved before', savedVersionSchema),
    201: json('A new version', savedVersionSchema),
    413: problemResponse('Body too large'),
    415: problemResponse('Not JSON'),
    422: problemResponse('Invalid definition; every error is listed, as /v1/workflows/validate reports them'),
    503: problemResponse('Temporal or the database unavailable'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{name}',
  summary: 'Read a saved workflow: the latest definition and every version',
  security,
  request: { params: workflowNameParamSchema },
  responses: { 200: json('The workflow', workflowDetailSchema), 404: problemResponse('No such workflow') },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{name}',
  summary: 'Delete a saved workflow, its versions and its schedules',
  description: 'Runs in flight finish.',
  security,
  request: { params: workflowNameParamSchema },
  responses: { 204: { description: 'Deleted' }, 404: problemResponse('No such workflow'), 503: problemResponse('Temporal unavailable') },
});

const versionRoute = createRoute({
  method: 'get',
  path: '/{name}/versions/{version}',
  summary: 'Read one version as saved (it can be PUT back as is)',
  security,
  request: { params: workflowVersionParamSchema },
  responses: { 200: json('The definition', workflowDefinitionSchema), 404: problemResponse('No such workflow or version') },
});

const runRoute = createRoute({
  method: 'post',
  path: '/{name}/runs',
  summary: 'Start a run of the latest (or a given) version',
  security,
  request: {
    params: workflowNameParamSchema,
    body: { required: false, content: { 'application/json': { schema: startSavedRunBodySchema } } },
  },
  responses: {
    201: json('The run was durably started (and, with `Prefer: wait`, ended)', runStartedSchema),
    404: problemResponse('No such workflow or version'),
    409: problemResponse('A run with this runId exists'),
    422: problemResponse('Bad body'),
    503: problemResponse('Temporal unavailable'),
  },
});

const schedulesRoute = createRoute({
  method: 'get',
  path: '/{name}/schedules',
  summary: "The workflow's schedules: spec, next run times, recent runs, paused state",
  security,
  request: { params: workflowNameParamSchema },
  responses: { 200: json('Its schedules', scheduleListSchema), 404: problemResponse('No such workflow'), 503: problemResponse('Temporal unavailable') },
});

const scheduleActionRoute = (action: 'pause' | 'unpause' | 'trigger', summary: string) =>
  createRoute({
    method: 'post',
    path: `/{name}/schedules/{triggerId}/${action}`,
    summary,
    security,
    request: {
      params: triggerParamSchema,
      body: { required: false, content: { 'application/json': { schema: scheduleActionBodySchema } } },
    },
    responses: {
      202: json('Done', z.object({ scheduleId: z.string(), action: z.literal(action) }).openapi(`Schedule${action[0]!.toUpperCase()}${action.slice(1)}d`)),
      404: problemResponse('No such workflow or schedule trigger'),
      503: problemResponse('Temporal unavailable'),
    },
  });

const links = (name: string, version: string) => ({
  self: `/v1/workflows/${encodeURIComponent(name)}`,
  version: `/v1/workflows/${encodeURIComponent(name)}/versions/${version}`,
  runs: `/v1/runs?workflow=${encodeURIComponent(name)}`,
});

export interface WorkflowsRoutesDeps {
  saved: SavedWorkflows;
  repository: WorkflowRepository;
  schedules: Schedules;
  runs: RunStore;
}

export function workflowsRoutes(deps: WorkflowsRoutesDeps) {
  const { saved, repository, schedules } = deps;
  const app = createRouter();

  app.openapi(validateRoute, async (c) => {
    const result = c.get('validate')(c.req.valid('json'));
    if (!result.ok) throw validationError(issueFieldErrors(result.issues));
    return c.json({ valid: true as const, stats: result.stats }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const page = await repository.list(limit, after);
    const last = page.workflows.at(-1)?.name;
    return c.json({ workflows: page.workflows, nextCursor: page.more && last ? Buffer.from(last).toString('base64url') : null }, 200);
  });

  app.openapi(putRoute, async (c) => {
    const { name } = c.req.valid('param');
    c.req.valid('json');
    // The body as sent (editor keys such as `position` included): that is what is stored and hashed.
    const body = (await c.req.json()) as Record<string, unknown>;
    const result = await saved.save(name, body);
    const payload = { ...result, latest: true as const, links: links(name, result.version) };
    if (result.created) return c.json(payload, 201, { location: payload.links.version });
    return c.json(payload, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { name } = c.req.valid('param');
    const found = await repository.get(name);
    if (!found) throw new ApiError('notFound', `no saved workflow "${name}"`);
    const versions = await repository.versions(name);
    return c.json({ ...found, versions: versions.map((v) => ({ ...v, latest: v.version === found.latestVersion })) }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    await saved.delete(c.req.valid('param').name);
    return c.body(null, 204);
  });

  app.openapi(versionRoute, async (c) => {
    const { name, version } = c.req.valid('param');
    const found = await saved.version(name, version);
    return c.json(found.definition as z.infer<typeof workflowDefinitionSchema>, 200);
  });

  app.openapi(runRoute, async (c) => {
    const { name } = c.req.valid('param');
    // The body is optional: none runs the latest version with a null input.
    const parsed = startSavedRunBodySchema.safeParse(parseJsonBody(await c.req.text(), {}));
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    assertNesting(parsed.data.input, '$.input');
    const started = await saved.startRun(name, parsed.data);
    const answer = await startedAnswer(c, deps.runs, started);
    return c.json(answer.body, 201, answer.headers);
  });

  app.openapi(schedulesRoute, async (c) => {
    const { name } = c.req.valid('param');
    const latest = await saved.latest(name);
    return c.json({ schedules: await schedules.list(name, latest.triggers) }, 200);
  });

  for (const [action, summary] of [
    ['pause', 'Pause a schedule'],
    ['unpause', 'Unpause a schedule'],
    ['trigger', 'Run a schedule now (whatever its overlap policy)'],
  ] as const) {
    app.openapi(scheduleActionRoute(action, summary), async (c) => {
      const { name, triggerId } = c.req.valid('param');
      const note = ((await c.req.json().catch(() => ({}))) as { note?: unknown } | null)?.note;
      const latest = await saved.latest(name);
      if (action === 'trigger') await schedules.trigger(name, triggerId, latest.triggers);
      else await schedules[action](name, triggerId, latest.triggers, typeof note === 'string' ? note : undefined);
      return c.json({ scheduleId: scheduleId(name, triggerId), action }, 202);
    });
  }

  return app;
}
