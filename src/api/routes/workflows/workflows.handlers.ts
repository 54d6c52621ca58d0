/** /v1/workflows handlers: each reads its request, asks the run domain (saved workflows, schedules) and answers. */
import type { RouteHandler, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestProject } from '../../authorize';
import { BraidError } from '../../../runs/errors';
import type { RunStore } from '../../../runs/run-store';
import type { SavedWorkflows } from '../../../runs/saved-workflows';
import type { Schedules } from '../../../runs/schedules';
import { assertNesting, issueFieldErrors, validationError } from '../../../runs/validation';
import type { WorkflowRepository } from '../../../store/workflow-repository';
import type { workflowDefinitionSchema } from '../../schemas';
import { startSavedRunBodySchema } from '../../schemas';
import { startedAnswer } from '../../started';
import type { AppEnv } from '../../types';
import { parseJsonBody, zodFieldErrors } from '../../validation';
import type * as routes from './workflows.routes';
import type { ScheduleAction } from './workflows.routes';

const links = (name: string, version: string) => ({
  self: `/v1/workflows/${encodeURIComponent(name)}`,
  version: `/v1/workflows/${encodeURIComponent(name)}/versions/${version}`,
  runs: `/v1/runs?workflow=${encodeURIComponent(name)}`,
});

/** One project's saved workflows, their versions and schedules. */
export interface WorkflowsScope {
  saved: SavedWorkflows;
  repository: WorkflowRepository;
  schedules: Schedules;
  runs: RunStore;
}

export interface WorkflowsHandlersDeps {
  /** The request's project's workflows (authorize.ts chose the project and checked the caller's role in it). */
  inProject: (project: string) => WorkflowsScope;
}

export function workflowsHandlers(deps: WorkflowsHandlersDeps) {
  const scope = (c: Context<AppEnv>) => deps.inProject(requestProject(c));

  const validate: RouteHandler<typeof routes.validateRoute, AppEnv> = async (c) => {
    const result = c.get('validate')(c.req.valid('json'));
    if (!result.ok) throw validationError(issueFieldErrors(result.issues));
    return c.json({ valid: true as const, stats: result.stats }, 200);
  };

  const list: RouteHandler<typeof routes.listRoute, AppEnv> = async (c) => {
    const { repository } = scope(c);
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const page = await repository.list(limit, after);
    const last = page.workflows.at(-1)?.name;
    return c.json({ workflows: page.workflows, nextCursor: page.more && last ? Buffer.from(last).toString('base64url') : null }, 200);
  };

  const save: RouteHandler<typeof routes.putRoute, AppEnv> = async (c) => {
    const { saved } = scope(c);
    const { name } = c.req.valid('param');
    c.req.valid('json');
    // The body as sent (editor keys such as `position` included): that is what is stored and hashed.
    const body = (await c.req.json()) as Record<string, unknown>;
    const result = await saved.save(name, body);
    const payload = { ...result, latest: true as const, links: links(name, result.version) };
    if (result.created) return c.json(payload, 201, { location: payload.links.version });
    return c.json(payload, 200);
  };

  const get: RouteHandler<typeof routes.getRoute, AppEnv> = async (c) => {
    const { repository } = scope(c);
    const { name } = c.req.valid('param');
    const found = await repository.get(name);
    if (!found) throw new BraidError('notFound', `no saved workflow "${name}"`);
    const versions = await repository.versions(name);
    return c.json({ ...found, versions: versions.map((v) => ({ ...v, latest: v.version === found.latestVersion })) }, 200);
  };

  const remove: RouteHandler<typeof routes.deleteRoute, AppEnv> = async (c) => {
    await scope(c).saved.delete(c.req.valid('param').name);
    return c.body(null, 204);
  };

  const version: RouteHandler<typeof routes.versionRoute, AppEnv> = async (c) => {
    const { saved } = scope(c);
    const { name, version } = c.req.valid('param');
    const found = await saved.version(name, version);
    return c.json(found.definition as z.infer<typeof workflowDefinitionSchema>, 200);
  };

  const run: RouteHandler<typeof routes.runRoute, AppEnv> = async (c) => {
    const { saved, runs } = scope(c);
    const { name } = c.req.valid('param');
    // The body is optional: none runs the latest version with a null input.
    const parsed = startSavedRunBodySchema.safeParse(parseJsonBody(await c.req.text(), {}));
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    assertNesting(parsed.data.input, '$.input');
    const started = await saved.startRun(name, parsed.data);
    const answer = await startedAnswer(c, runs, started);
    return c.json(answer.body, 201, answer.headers);
  };

  const listSchedules: RouteHandler<typeof routes.schedulesRoute, AppEnv> = async (c) => {
    const { saved, schedules } = scope(c);
    const { name } = c.req.valid('param');
    const latest = await saved.latest(name);
    return c.json({ schedules: await schedules.list(name, latest.triggers) }, 200);
  };

  /** POST …/schedules/:triggerId/pause, unpause, trigger. */
  const scheduleAction =
    (action: ScheduleAction): RouteHandler<ReturnType<typeof routes.scheduleActionRoute>, AppEnv> =>
    async (c) => {
      const { saved, schedules } = scope(c);
      const { name, triggerId } = c.req.valid('param');
      const note = ((await c.req.json().catch(() => ({}))) as { note?: unknown } | null)?.note;
      const latest = await saved.latest(name);
      if (action === 'trigger') await schedules.trigger(name, triggerId, latest.triggers);
      else await schedules[action](name, triggerId, latest.triggers, typeof note === 'string' ? note : undefined);
      return c.json({ scheduleId: schedules.idOf(name, triggerId), action }, 202);
    };

  return { validate, list, save, get, remove, version, run, listSchedules, scheduleAction };
}
