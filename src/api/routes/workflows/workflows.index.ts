/**
 * /v1/workflows: validate a definition; save, read, list and delete saved
 * workflows and their versions; start runs of them; see and steer their
 * schedules. Definitions in workflows.routes.ts, handlers in workflows.handlers.ts.
 */
import { createRouter } from '../../validation';
import type { WorkflowsHandlersDeps } from './workflows.handlers';
import { workflowsHandlers } from './workflows.handlers';
import * as routes from './workflows.routes';

export function workflowsRoutes(deps: WorkflowsHandlersDeps) {
  const handlers = workflowsHandlers(deps);
  const app = createRouter()
    .openapi(routes.validateRoute, handlers.validate)
    .openapi(routes.listRoute, handlers.list)
    .openapi(routes.putRoute, handlers.save)
    .openapi(routes.getRoute, handlers.get)
    .openapi(routes.deleteRoute, handlers.remove)
    .openapi(routes.versionRoute, handlers.version)
    .openapi(routes.runRoute, handlers.run)
    .openapi(routes.schedulesRoute, handlers.listSchedules);
  for (const [action, summary] of routes.SCHEDULE_ACTIONS) app.openapi(routes.scheduleActionRoute(action, summary), handlers.scheduleAction(action));
  return app;
}
