/** /v1/runs: start, list, read, watch and cancel runs. */
import type { RouteHandler, z } from '@hono/zod-openapi';
import type { AppEnv } from '../types';
import { streamSSE } from 'hono/streaming';
import { DEFAULT_NAME } from '../../graph/schema';
import { TRIGGER_TYPE } from '../../graph/node-type';
import { resolveLibrary } from '../library';
import { pinnedRun } from '../pins';
import { assertErrorWorkflow } from '../on-failure';
import { newRunId } from '../run-ids';
import type { WorkflowRepository } from '../../store/workflow-repository';
import type { RunSnapshot, RunStore } from '../run-store';
import { startedAnswer } from '../started';
import type { Metrics } from '../metrics';
import type { RunWatch } from '../run-watch';
import type { workflowDefinitionSchema } from '../schemas';
import { redriveBodySchema } from '../schemas';
import { assertNesting, createRouter, issueFieldErrors, parseJsonBody, validationError, zodFieldErrors } from '../validation';
import type { Redrive } from '../redrive';
import { cancelRoute, decisionRoute, definitionRoute, eventsRoute, getRoute, listRoute, redriveRoute, sendEventRoute, startRoute } from './runs.routes';
import { followRun, streamQuota } from './run-events';

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
  const streams = streamQuota(streamsPerPrincipal);

  app.openapi(startRoute, startRun(store, repository));

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
    return c.json(await redrive(runId, parsed.data), 201);
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
    const release = streams.take(c.get('principal') ?? 'anonymous');
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

/** POST /v1/runs: validates the definition, its trigger, error workflow and pins, and starts the run. */
function startRun(store: RunStore, repository: WorkflowRepository): RouteHandler<typeof startRoute, AppEnv> {
  return async (c) => {
    const body = c.req.valid('json');
    assertNesting(body.input, '$.input');
    const result = c.get('validate')(body.workflow);
    if (!result.ok) {
      throw validationError(issueFieldErrors(result.issues, '$.workflow'));
    }
    if (body.trigger !== undefined) {
      const node = result.graph.nodes[result.graph.indexById.get(body.trigger) ?? -1];
      if (node?.type !== TRIGGER_TYPE) {
        throw validationError([{ path: '$.trigger', message: `"${body.trigger}" is not a trigger node of this workflow` }]);
      }
    }
    await assertErrorWorkflow(repository, body.workflow, '$.workflow');
    const pinned = pinnedRun(result.graph, c.get('nodeTypes'), body.pins);
    const name = body.workflow.name ?? DEFAULT_NAME;
    const runId = body.runId ?? newRunId(name);
    const library = await resolveLibrary(repository, body.workflow);
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
  };
}
