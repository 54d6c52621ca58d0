/**
 * What the API records in the audit log: every request that changed
 * something or decided, once it succeeded, with the principal it
 * authenticated as, the request's project, the target
 * and the request id. One table says which route is which action; a test
 * checks that every route that changes state is in it.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditAction } from '../audit/chain';
import { DEFAULT_PROJECT } from '../auth/roles';
import type { Logger } from '../logger';
import type { AuditLog } from '../store/audit-log';
import { answeringRoute } from './authorize';
import type { AppEnv } from './types';

interface Audited {
  action: AuditAction;
  /** What the action was on, read from the request or its answer. */
  target(c: Context<AppEnv>): Promise<string> | string;
  /** The project it was in, when the request's project is not it (a project just made). */
  project?(c: Context<AppEnv>): Promise<string> | string;
}

const param = (name: string) => (c: Context<AppEnv>) => c.req.param(name) ?? '';
/** A run just started: the id at the end of the answer's Location. */
const startedRun = (c: Context<AppEnv>) => decodeURIComponent(c.res.headers.get('location')?.split('/').pop() ?? '');
/** An answer's JSON member. */
const answered = (member: string) => async (c: Context<AppEnv>) => String(((await c.res.clone().json()) as Record<string, unknown>)[member] ?? '');
const schedule = (c: Context<AppEnv>) => `${c.req.param('name')}/${c.req.param('triggerId')}`;

/** The audited routes, by method and Hono path. */
export const AUDITED_ROUTES: Readonly<Record<string, Audited>> = {
  'POST /v1/runs': { action: 'run.start', target: startedRun },
  'POST /v1/runs/:runId/cancel': { action: 'run.cancel', target: param('runId') },
  'POST /v1/runs/:runId/pause': { action: 'run.pause', target: param('runId') },
  'POST /v1/runs/:runId/resume': { action: 'run.resume', target: param('runId') },
  'POST /v1/runs/:runId/redrive': { action: 'run.redrive', target: param('runId') },
  'POST /v1/runs/:runId/nodes/:nodeId/decision': { action: 'approval.decide', target: (c) => `${c.req.param('runId')}/${c.req.param('nodeId')}` },
  'POST /v1/runs/bulk': { action: 'bulk.start', target: answered('operationId') },
  'PUT /v1/workflows/:name': { action: 'workflow.save', target: param('name') },
  'DELETE /v1/workflows/:name': { action: 'workflow.delete', target: param('name') },
  'POST /v1/workflows/:name/runs': { action: 'run.start', target: startedRun },
  'POST /v1/workflows/:name/schedules/:triggerId/pause': { action: 'schedule.change', target: schedule },
  'POST /v1/workflows/:name/schedules/:triggerId/unpause': { action: 'schedule.change', target: schedule },
  'POST /v1/workflows/:name/schedules/:triggerId/trigger': { action: 'schedule.change', target: schedule },
  'POST /v1/credentials': { action: 'credential.create', target: answered('name') },
  'PUT /v1/credentials/:name': { action: 'credential.rotate', target: param('name') },
  'DELETE /v1/credentials/:name': { action: 'credential.delete', target: param('name') },
  'PUT /v1/projects/:project/members/:principal': { action: 'member.add', target: param('principal') },
  'DELETE /v1/projects/:project/members/:principal': { action: 'member.remove', target: param('principal') },
  'POST /v1/keys': { action: 'key.create', target: answered('id') },
  'DELETE /v1/keys/:id': { action: 'key.revoke', target: param('id') },
  'POST /v1/hooks/:name': { action: 'run.start', target: startedRun },
  'POST /v1/hooks/:name/:triggerId': { action: 'run.start', target: startedRun },
  'POST /v1/projects/:project/hooks/:name': { action: 'run.start', target: startedRun },
  'POST /v1/projects/:project/hooks/:name/:triggerId': { action: 'run.start', target: startedRun },
  // The new project's own entry.
  'POST /v1/projects': { action: 'project.create', target: answered('name'), project: answered('name') },
};

/** Who asked: the authenticated principal, or for a signed webhook delivery, the webhook. */
function principalOf(c: Context<AppEnv>, route: string): string {
  const principal = c.get('principal');
  if (principal) return principal;
  return route.includes('/hooks/') ? `webhook:${c.req.param('name')}` : 'anonymous';
}

/**
 * Appends an entry for each audited request that succeeded. The change has
 * happened by then: if the log cannot be written, the answer stands and the
 * failure is logged as an error with the entry it lost.
 */
export function auditTrail(log: AuditLog, logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status >= 300 || c.req.method === 'GET') return;
    const route = answeringRoute(c);
    const audited = route === undefined ? undefined : AUDITED_ROUTES[route];
    if (!audited || route === undefined) return;
    const record = {
      principal: principalOf(c, route),
      // A webhook's project is in its path (no sign-in chose one).
      project: (await audited.project?.(c)) ?? c.get('project') ?? c.req.param('project') ?? DEFAULT_PROJECT,
      action: audited.action,
      target: await audited.target(c),
      requestId: c.get('requestId'),
    };
    try {
      await log.append(record);
    } catch (err) {
      logger.error('could not append to the audit log; the change it records was made', {
        err: err instanceof Error ? err.message : String(err),
        audit: record,
      });
    }
  };
}
