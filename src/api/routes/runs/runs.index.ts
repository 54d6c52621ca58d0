/** /v1/runs: start, list, read, watch, cancel and redrive runs, decide and send events. Definitions in runs.routes.ts, handlers in runs.handlers.ts. */
import { createRouter } from '../../validation';
import type { RunsHandlersDeps } from './runs.handlers';
import { runsHandlers } from './runs.handlers';
import * as routes from './runs.routes';

export function runsRoutes(deps: RunsHandlersDeps) {
  const handlers = runsHandlers(deps);
  return createRouter()
    .openapi(routes.startRoute, handlers.start)
    .openapi(routes.listRoute, handlers.list)
    .openapi(routes.getRoute, handlers.get)
    .openapi(routes.definitionRoute, handlers.definition)
    .openapi(routes.cancelRoute, handlers.cancel)
    .openapi(routes.controlRoute('pause'), handlers.pause)
    .openapi(routes.controlRoute('resume'), handlers.resume)
    .openapi(routes.redriveRoute, handlers.redrive)
    .openapi(routes.decisionRoute, handlers.decide)
    .openapi(routes.sendEventRoute, handlers.sendEvent)
    .openapi(routes.eventsRoute, handlers.events);
}
