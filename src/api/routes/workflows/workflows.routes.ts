/** /v1/workflows: the routes (paths, parameters, bodies and answers) of workflows.index.ts, as the OpenAPI document shows them. */
import { createRoute, z } from '@hono/zod-openapi';
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
  BEARER_SECURITY,
  jsonResponse,
} from '../../schemas';

const security = BEARER_SECURITY;

export const validateRoute = createRoute({
  method: 'post',
  path: '/validate',
  summary: 'Validate a definition',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: workflowDefinitionSchema } } } },
  responses: {
    200: jsonResponse('The definition is valid', validateOkSchema),
    422: problemResponse('Every problem found'),
  },
});

export const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'List saved workflows by name',
  security,
  request: { query: listWorkflowsQuerySchema },
  responses: { 200: jsonResponse('A page of saved workflows', workflowListSchema), 422: problemResponse('Bad query') },
});

export const putRoute = createRoute({
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
    200: jsonResponse('This content was saved before', savedVersionSchema),
    201: jsonResponse('A new version', savedVersionSchema),
    413: problemResponse('Body too large'),
    415: problemResponse('Not JSON'),
    422: problemResponse('Invalid definition; every error is listed, as /v1/workflows/validate reports them'),
    503: problemResponse('Temporal or the database unavailable'),
  },
});

export const getRoute = createRoute({
  method: 'get',
  path: '/{name}',
  summary: 'Read a saved workflow: the latest definition and every version',
  security,
  request: { params: workflowNameParamSchema },
  responses: { 200: jsonResponse('The workflow', workflowDetailSchema), 404: problemResponse('No such workflow') },
});

export const deleteRoute = createRoute({
  method: 'delete',
  path: '/{name}',
  summary: 'Delete a saved workflow, its versions and its schedules',
  description: 'Runs in flight finish.',
  security,
  request: { params: workflowNameParamSchema },
  responses: { 204: { description: 'Deleted' }, 404: problemResponse('No such workflow'), 503: problemResponse('Temporal unavailable') },
});

export const versionRoute = createRoute({
  method: 'get',
  path: '/{name}/versions/{version}',
  summary: 'Read one version as saved (it can be PUT back as is)',
  security,
  request: { params: workflowVersionParamSchema },
  responses: { 200: jsonResponse('The definition', workflowDefinitionSchema), 404: problemResponse('No such workflow or version') },
});

export const runRoute = createRoute({
  method: 'post',
  path: '/{name}/runs',
  summary: 'Start a run of the latest (or a given) version',
  security,
  request: {
    params: workflowNameParamSchema,
    body: { required: false, content: { 'application/json': { schema: startSavedRunBodySchema } } },
  },
  responses: {
    201: jsonResponse('The run was durably started (and, with `Prefer: wait`, ended)', runStartedSchema),
    404: problemResponse('No such workflow or version'),
    409: problemResponse('A run with this runId exists, or the concurrency limit of its key refused it (`onLimit: "skip"`)'),
    422: problemResponse('Bad body'),
    429: problemResponse('The rate limit of its key refused it (`settings.rateLimit` with `onLimit: "skip"`)'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const schedulesRoute = createRoute({
  method: 'get',
  path: '/{name}/schedules',
  summary: "The workflow's schedules: spec, next run times, recent runs, paused state",
  security,
  request: { params: workflowNameParamSchema },
  responses: { 200: jsonResponse('Its schedules', scheduleListSchema), 404: problemResponse('No such workflow'), 503: problemResponse('Temporal unavailable') },
});

/** What a schedule can be told, and the summary of each route. */
export const SCHEDULE_ACTIONS = [
  ['pause', 'Pause a schedule'],
  ['unpause', 'Unpause a schedule'],
  ['trigger', 'Run a schedule now (whatever its overlap policy)'],
] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number][0];

export const scheduleActionRoute = (action: ScheduleAction, summary: string) =>
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
      202: jsonResponse(
        'Done',
        z.object({ scheduleId: z.string(), action: z.literal(action) }).openapi(`Schedule${action[0]!.toUpperCase()}${action.slice(1)}d`),
      ),
      404: problemResponse('No such workflow or schedule trigger'),
      503: problemResponse('Temporal unavailable'),
    },
  });
