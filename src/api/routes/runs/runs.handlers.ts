/** /v1/runs handlers: each reads its request, asks the run domain (src/runs/) and answers. */
import type { RouteHandler, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isLive } from '../../../graph/run-state';
import { requestProject } from '../../authorize';
import type { Redrive } from '../../../runs/redrive';
import type { RunSnapshot, RunStore } from '../../../runs/run-store';
import type { RunWatch } from '../../../runs/run-watch';
import type { StartDefinitionRun } from '../../../runs/start';
import { assertNesting, validationError } from '../../../runs/validation';
import type { Metrics } from '../../metrics';
import type { workflowDefinitionSchema } from '../../schemas';
import { redriveBodySchema } from '../../schemas';
import { startedAnswer } from '../../started';
import type { AppEnv } from '../../types';
import { parseJsonBody, zodFieldErrors } from '../../validation';
import { followRun, streamQuota } from './run-events';
import type {
  cancelRoute,
  controlRoute,
  decisionRoute,
  definitionRoute,
  eventsRoute,
  getRoute,
  listRoute,
  redriveRoute,
  sendEventRoute,
  startRoute,
} from './runs.routes';

/** What starts and lists runs in one project. */
export interface RunsScope {
  store: RunStore;
  startDefinition: StartDefinitionRun;
  redrive: Redrive;
}

export interface RunsHandlersDeps {
  /** Reads and commands by run id, whatever the project: authorize.ts took the run's project from its id and checked the caller's role in it. */
  store: RunStore;
  watch: RunWatch;
  /** The request's project's starts, lists and redrives. */
  inProject: (project: string) => RunsScope;
  metrics?: Pick<Metrics, 'sseOpened' | 'sseClosed' | 'runControlled'>;
  /** Event streams one principal may hold open (SSE_STREAMS_PER_PRINCIPAL). */
  streamsPerPrincipal?: number;
}

export function runsHandlers({ store, watch, inProject, metrics, streamsPerPrincipal = 100 }: RunsHandlersDeps) {
  const scope = (c: Context<AppEnv>) => inProject(requestProject(c));
  const streams = streamQuota(streamsPerPrincipal);

  /** POST /v1/runs: the run domain checks the definition and starts the run; the answer follows `Prefer: wait`. */
  const start: RouteHandler<typeof startRoute, AppEnv> = async (c) => {
    const started = await scope(c).startDefinition(c.req.valid('json'));
    const answer = await startedAnswer(c, store, started);
    return c.json(answer.body, 201, answer.headers);
  };

  const list: RouteHandler<typeof listRoute, AppEnv> = async (c) => c.json(await scope(c).store.list(c.req.valid('query')), 200);

  const get: RouteHandler<typeof getRoute, AppEnv> = async (c) => {
    const { runId } = c.req.valid('param');
    const { view } = await watch.read(runId);
    // Asked at each read (a finished run's view is kept; its redrives come later).
    return c.json(isLive(view.status) ? view : { ...view, redrivenBy: await store.redrivesOf(runId) }, 200);
  };

  const definition: RouteHandler<typeof definitionRoute, AppEnv> = async (c) =>
    c.json((await store.definition(c.req.valid('param').runId)) as z.infer<typeof workflowDefinitionSchema>, 200);

  const cancel: RouteHandler<typeof cancelRoute, AppEnv> = async (c) => c.json(await store.cancel(c.req.valid('param').runId), 202);

  /** POST …/pause, …/resume: the run's update, then its view (paused, or running again). */
  const control =
    (action: 'pause' | 'resume'): RouteHandler<ReturnType<typeof controlRoute>, AppEnv> =>
    async (c) => {
      const { runId } = c.req.valid('param');
      await store[action](runId);
      metrics?.runControlled(action);
      return c.json(await store.get(runId), 202);
    };

  const redriveRun: RouteHandler<typeof redriveRoute, AppEnv> = async (c) => {
    const { runId } = c.req.valid('param');
    // The body is optional: none redrives the run as it was, from what failed.
    const parsed = redriveBodySchema.safeParse(parseJsonBody(await c.req.text(), {}));
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    assertNesting(parsed.data.input, '$.input');
    return c.json(await scope(c).redrive(runId, parsed.data), 201);
  };

  const decide: RouteHandler<typeof decisionRoute, AppEnv> = async (c) => {
    const { runId, nodeId } = c.req.valid('param');
    // Who decided comes from the credential, never from the body.
    return c.json(await store.decide(runId, { nodeId, ...c.req.valid('json'), by: c.get('principal') ?? 'anonymous' }), 200);
  };

  const sendEvent: RouteHandler<typeof sendEventRoute, AppEnv> = async (c) => {
    const { runId, event } = c.req.valid('param');
    const payload = parseJsonBody(await c.req.text());
    assertNesting(payload, '$');
    await store.sendEvent(runId, event, payload);
    return c.json({ runId, event, status: 'delivered' as const, links: store.links(runId) }, 202);
  };

  const events: RouteHandler<typeof eventsRoute, AppEnv> = async (c) => {
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
  };

  return { start, list, get, definition, cancel, pause: control('pause'), resume: control('resume'), redrive: redriveRun, decide, sendEvent, events };
}
