/** /v1/runs: the routes (paths, parameters, bodies and answers) of runs.index.ts, as the OpenAPI document shows them. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  cancelAcceptedSchema,
  decisionBodySchema,
  eventAcceptedSchema,
  eventParamSchema,
  nodeParamSchema,
  nodeStateSchema,
  listRunsQuerySchema,
  redriveBodySchema,
  redriveCreatedSchema,
  problemResponse,
  runStartedSchema,
  runIdParamSchema,
  runListSchema,
  runSchema,
  startRunBodySchema,
  workflowDefinitionSchema,
  BEARER_SECURITY,
} from '../../schemas';

const security = BEARER_SECURITY;

export const startRoute = createRoute({
  method: 'post',
  path: '/',
  summary: 'Start a run',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: startRunBodySchema } } } },
  responses: {
    201: { description: 'The run was durably started (and, with `Prefer: wait`, ended)', content: { 'application/json': { schema: runStartedSchema } } },
    400: problemResponse('Malformed JSON'),
    409: problemResponse(
      'A run with this runId exists, or the concurrency limit of its key refused it (`onLimit: "skip"`: `admission` names the key and the run holding it)',
    ),
    413: problemResponse('Body too large'),
    415: problemResponse('Not JSON'),
    422: problemResponse('Invalid definition; every error is listed'),
    429: problemResponse('The rate limit of its key refused it (`settings.rateLimit` with `onLimit: "skip"`)'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'List runs, newest first',
  security,
  request: { query: listRunsQuerySchema },
  responses: {
    200: { description: 'A page of runs', content: { 'application/json': { schema: runListSchema } } },
    422: problemResponse('Bad query'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const getRoute = createRoute({
  method: 'get',
  path: '/{runId}',
  summary: 'Read a run and every node state',
  security,
  request: { params: runIdParamSchema },
  responses: {
    200: { description: 'The run', content: { 'application/json': { schema: runSchema } } },
    404: problemResponse('No such run'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const definitionRoute = createRoute({
  method: 'get',
  path: '/{runId}/definition',
  summary: 'Read the workflow definition a run ran',
  description: 'The nodes and edges as the run received them (from its first history event); the run page draws the graph from it.',
  security,
  request: { params: runIdParamSchema },
  responses: {
    200: { description: 'The definition', content: { 'application/json': { schema: workflowDefinitionSchema } } },
    404: problemResponse('No such run'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const cancelRoute = createRoute({
  method: 'post',
  path: '/{runId}/cancel',
  summary: 'Cancel a running run',
  security,
  request: { params: runIdParamSchema },
  responses: {
    202: { description: 'Cancellation requested', content: { 'application/json': { schema: cancelAcceptedSchema } } },
    404: problemResponse('No such run'),
    409: problemResponse('The run already finished'),
    503: problemResponse('Temporal unavailable'),
  },
});

/** POST …/pause and …/resume: 202 with the run's view. */
export const controlRoute = (action: 'pause' | 'resume') =>
  createRoute({
    method: 'post',
    path: `/{runId}/${action}`,
    summary:
      action === 'pause'
        ? 'Pause a run: it starts no node until resumed; nodes already running finish, decisions, events and timers keep arriving'
        : 'Resume a paused run: it starts what became ready',
    security,
    request: { params: runIdParamSchema },
    responses: {
      202: { description: "The run's view", content: { 'application/json': { schema: runSchema } } },
      404: problemResponse('No such run'),
      409: problemResponse(action === 'pause' ? 'The run already ended' : 'The run is not paused, or already ended'),
      503: problemResponse('Temporal unavailable'),
    },
  });

export const redriveRoute = createRoute({
  method: 'post',
  path: '/{runId}/redrive',
  summary: 'Redrive a finished run from where it failed',
  description:
    'Starts a new run that reuses the output of every node that succeeded and is neither in `fromNodes` nor downstream of one (`reused: { runId }` in its state: no request is sent for it); ' +
    'every other node runs again. Allowed for a run that failed, was canceled, terminated or timed out; a run that succeeded only with `fromNodes`.',
  security,
  request: { params: runIdParamSchema, body: { required: false, content: { 'application/json': { schema: redriveBodySchema } } } },
  responses: {
    201: { description: 'The new run was started', content: { 'application/json': { schema: redriveCreatedSchema } } },
    404: problemResponse('No such run'),
    409: problemResponse(
      'The run is still running, or it succeeded and no fromNodes were given, or the new runId is taken, or its concurrency limit refused it',
    ),
    429: problemResponse('The rate limit of its key refused it (`settings.rateLimit` with `onLimit: "skip"`)'),
    422: problemResponse('Bad body: unknown node ids in fromNodes are named'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const decisionRoute = createRoute({
  method: 'post',
  path: '/{runId}/nodes/{nodeId}/decision',
  summary: 'Decide a waiting approval node',
  description: "A Temporal Update: the answer says at once whether the decision was taken, with the node's new state.",
  security,
  request: { params: nodeParamSchema, body: { required: true, content: { 'application/json': { schema: decisionBodySchema } } } },
  responses: {
    200: { description: 'Decided: the node state', content: { 'application/json': { schema: nodeStateSchema } } },
    404: problemResponse('No such run, or no approval node with this id'),
    409: problemResponse('The node is not waiting (not started yet, or decided), or the run has finished'),
    422: problemResponse('Bad body'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const sendEventRoute = createRoute({
  method: 'post',
  path: '/{runId}/events/{event}',
  summary: 'Deliver an event to wait nodes',
  description:
    'A Temporal Signal. The JSON body (null when empty) becomes the output of every node waiting for this event; ' +
    'when none waits yet, the event is kept for the next one that does.',
  security,
  request: { params: eventParamSchema },
  responses: {
    202: { description: 'Delivered', content: { 'application/json': { schema: eventAcceptedSchema } } },
    400: problemResponse('Malformed JSON'),
    404: problemResponse('No such run'),
    409: problemResponse('The run has finished'),
    503: problemResponse('Temporal unavailable'),
  },
});

export const eventsRoute = createRoute({
  method: 'get',
  path: '/{runId}/events',
  summary: 'Watch a run as Server-Sent Events',
  description:
    'Streams one `node` event per node state change (the current state of every node first) and a final `run` event with the whole run when it ends.',
  security,
  request: { params: runIdParamSchema },
  responses: {
    200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
    404: problemResponse('No such run'),
    429: problemResponse('Too many event streams open for this principal (SSE_STREAMS_PER_PRINCIPAL)'),
  },
});
