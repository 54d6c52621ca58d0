/** /v1/runs: start, list, read, watch and cancel runs. */
import { createRoute, z } from '@hono/zod-openapi';
import type { SSEStreamingApi } from 'hono/streaming';
import { streamSSE } from 'hono/streaming';
import { DEFAULT_NAME } from '../../graph/schema';
import { ApiError, isAlreadyStarted } from '../problem';
import { resolveLibrary } from '../library';
import { pinnedRun } from '../pins';
import { assertErrorWorkflow } from '../on-failure';
import { newRunId } from '../run-ids';
import type { WorkflowRepository } from '../../store/workflow-repository';
import type { RunSnapshot, RunStore } from '../run-store';
import { startedAnswer } from '../started';
import type { Metrics } from '../metrics';
import type { RunWatch, WatchEvent } from '../run-watch';
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
} from '../schemas';
import { assertNesting, createRouter, issueFieldErrors, parseJsonBody, validationError, zodFieldErrors } from '../validation';
import type { Redrive } from '../redrive';

const security = [{ bearerAuth: [] }];

const startRoute = createRoute({
  method: 'post',
  path: '/',
  summary: 'Start a run',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: startRunBodySchema } } } },
  responses: {
    201: { description: 'The run was durably started (and, with `Prefer: wait`, ended)', content: { 'application/json': { schema: runStartedSchema } } },
    400: problemResponse('Malformed JSON'),
    409: problemResponse('A run with this runId exists'),
    413: problemResponse('Body too large'),
    415: problemResponse('Not JSON'),
    422: problemResponse('Invalid definition; every error is listed'),
    503: problemResponse('Temporal unavailable'),
  },
});

const listRoute = createRoute({
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

const getRoute = createRoute({
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

const definitionRoute = createRoute({
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

const cancelRoute = createRoute({
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

const redriveRoute = createRoute({
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
    409: problemResponse('The run is still running, or it succeeded and no fromNodes were given, or the new runId is taken'),
    422: problemResponse('Bad body: unknown node ids in fromNodes are named'),
    503: problemResponse('Temporal unavailable'),
  },
});

const decisionRoute = createRoute({
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

const sendEventRoute = createRoute({
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

const eventsRoute = createRoute({
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

export function runsRoutes(
  store: RunStore,
  watch: RunWatch,
  repository: WorkflowRepository,
  redrive: Redrive,
  metrics?: Pick<Metrics, 'sseOpened' | 'sseClosed'>,
  /** Event streams one principal may hold open (SSE_STREAMS_PER_PRINCIPAL). */
  streamsPerPrincipal = 100,
) {
  const app = createRouter();
  const openStreams = new Map<string, number>();

  app.openapi(startRoute, async (c) => {
    const body = c.req.valid('json');
    assertNesting(body.input, '$.input');
    const result = c.get('validate')(body.workflow);
    if (!result.ok) {
      throw validationError(issueFieldErrors(result.issues, '$.workflow'));
    }
    if (body.trigger !== undefined) {
      const node = result.graph.nodes[result.graph.indexById.get(body.trigger) ?? -1];
      if (node?.type !== 'trigger') {
        throw validationError([{ path: '$.trigger', message: `"${body.trigger}" is not a trigger node of this workflow` }]);
      }
    }
    await assertErrorWorkflow(repository, body.workflow, '$.workflow');
    const pinned = pinnedRun(result.graph, c.get('nodeTypes'), body.pins);
    const name = body.workflow.name ?? DEFAULT_NAME;
    const runId = body.runId ?? newRunId(name);
    const library = await resolveLibrary(repository, body.workflow);
    try {
      const started = await store.start({
        runId,
        definition: body.workflow,
        name,
        input: body.input,
        trigger: body.trigger,
        library,
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...pinned,
      });
      const answer = await startedAnswer(c, store, started);
      return c.json(answer.body, 201, answer.headers);
    } catch (err) {
      if (isAlreadyStarted(err)) {
        throw new ApiError('conflict', `a run with id "${runId}" already exists`, { links: store.links(runId) });
      }
      throw err;
    }
  });

  app.openapi(listRoute, async (c) => c.json(await store.list(c.req.valid('query')), 200));

  app.openapi(getRoute, async (c) => {
    const { runId } = c.req.valid('param');
    const { view } = await watch.read(runId);
    // Asked at each read (a finished run's view is kept; its redrives come later).
    return c.json(view.status === 'running' ? view : { ...view, redrivenBy: await store.redrivesOf(runId) }, 200);
  });

  app.openapi(definitionRoute, async (c) => c.json((await store.definition(c.req.valid('param').runId)) as z.infer<typeof workflowDefinitionSchema>, 200));

  app.openapi(cancelRoute, async (c) => c.json(await store.cancel(c.req.valid('param').runId), 202));

  app.openapi(redriveRoute, async (c) => {
    const { runId } = c.req.valid('param');
    // The body is optional: none redrives the run as it was, from what failed.
    const parsed = redriveBodySchema.safeParse(parseJsonBody(await c.req.text(), {}));
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    assertNesting(parsed.data.input, '$.input');
    try {
      return c.json(await redrive(runId, parsed.data), 201);
    } catch (err) {
      if (isAlreadyStarted(err) && parsed.data.runId) {
        throw new ApiError('conflict', `a run with id "${parsed.data.runId}" already exists`, { links: store.links(parsed.data.runId) });
      }
      throw err;
    }
  });

  app.openapi(decisionRoute, async (c) => {
    const { runId, nodeId } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await store.decide(runId, { nodeId, ...body }), 200);
  });

  app.openapi(sendEventRoute, async (c) => {
    const { runId, event } = c.req.valid('param');
    const payload = parseJsonBody(await c.req.text());
    assertNesting(payload, '$');
    await store.sendEvent(runId, event, payload);
    return c.json({ runId, event, status: 'delivered' as const, links: store.links(runId) }, 202);
  });

  app.openapi(eventsRoute, async (c) => {
    const { runId } = c.req.valid('param');
    // One principal cannot hold every socket: past its share of open streams, 429.
    const who = c.get('principal') ?? 'anonymous';
    const open = openStreams.get(who) ?? 0;
    if (open >= streamsPerPrincipal) {
      throw new ApiError('rateLimited', `${open} event streams are open already (SSE_STREAMS_PER_PRINCIPAL=${streamsPerPrincipal}); close one first`, {
        headers: { 'retry-after': '5' },
      });
    }
    // Taken before the first await, so streams opened together count together.
    openStreams.set(who, open + 1);
    const release = () => {
      const left = (openStreams.get(who) ?? 1) - 1;
      if (left <= 0) openStreams.delete(who);
      else openStreams.set(who, left);
    };
    let first: RunSnapshot;
    try {
      first = await watch.read(runId); // 404 before the stream starts
    } catch (err) {
      release();
      throw err;
    }
    return streamSSE(c, async (stream) => {
      try {
        await followRun(stream, runId, first, watch, metrics);
      } finally {
        release();
      }
    });
  });

  return app;
}

/**
 * Streams a run: one `node` event per node state change (every node's state
 * first), then the whole run as `run` when it ends, or `error` when watching
 * fails. Writes go out in order, whatever the feed's pace.
 */
async function followRun(
  stream: SSEStreamingApi,
  runId: string,
  first: RunSnapshot,
  watch: RunWatch,
  metrics?: Pick<Metrics, 'sseOpened' | 'sseClosed'>,
): Promise<void> {
  metrics?.sseOpened();
  const seen = new Map<string, string>();
  let seq = 0;
  let unsubscribe = () => {};
  // Writes happen in order, one after another, whatever the feed's pace.
  let writing = Promise.resolve();
  const done = new Promise<void>((resolve) => {
    const onEvent = (event: WatchEvent) => {
      writing = writing.then(async () => {
        if (stream.aborted) return resolve();
        if ('error' in event) {
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ message: event.error.message }) });
          return resolve();
        }
        const { view, changed } = event.snapshot;
        for (const nodeId of changed ?? Object.keys(view.nodes)) {
          const node = view.nodes[nodeId];
          if (!node) continue;
          const key = JSON.stringify(node);
          if (seen.get(nodeId) === key) continue;
          seen.set(nodeId, key);
          await stream.writeSSE({ event: 'node', id: String(++seq), data: JSON.stringify({ runId, nodeId, ...node }) });
        }
        if (view.status !== 'running') {
          await stream.writeSSE({ event: 'run', id: String(++seq), data: JSON.stringify(view) });
          resolve();
        }
      });
    };
    stream.onAbort(() => resolve());
    unsubscribe = watch.subscribe(runId, first, onEvent);
  });
  try {
    await done;
    unsubscribe();
    await writing;
  } finally {
    metrics?.sseClosed();
  }
}
