/**
 * The HTTP API. `createApp` builds the Hono app without listening, so tests
 * drive it with `app.request()`.
 */
import { requestSpan } from './request-span';
import type { z } from 'zod';
import { randomUUID } from 'node:crypto';
// First: it gives zod its `.openapi()`, which a schema only has if built after this import.
import '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import {
  bearerAuth,
  clientAddress,
  adminCheck,
  credentialCheck,
  failedAuthLimit,
  trustedProxies,
  hostCheck,
  rateLimit,
  refuseCrossSite,
  requestLog,
  requireJson,
  sessionOrBearer,
} from './middleware';
import { createAssets } from '../ui/assets';
import { uiRoutes } from '../ui/routes';
import { createSession } from '../ui/session';
import type { SessionStore } from '../ui/session';
import { temporalUiRoutes } from '../ui/temporal-ui';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';
import { temporalReadiness, withDatabaseCheck } from './readiness';
import { createRunWatch } from '../runs/run-watch';

import { codecRoutes } from './routes/codec';
import { hooksRoutes } from './routes/hooks';
import { runsRoutes } from './routes/runs/runs.index';
import { auditRoutes } from './routes/audit';
import { auditTrail } from './audit';
import { authorize, requestRoles } from './authorize';
import { roleAllows } from '../auth/roles';
import { keysRoutes } from './routes/keys';
import { projectsRoutes } from './routes/projects';
import { oidcRoutes } from '../ui/oidc';
import { credentialsRoutes } from './routes/credentials';
import type { KeyStore } from '../store/keys';
import type { ProjectStore } from '../store/projects';
import { nodeTypeCatalog } from './node-type-catalog';
import { nodeTypesRoutes } from './routes/node-types';
import { createBulkOperations } from '../runs/bulk';
import { bulkRoutes, operationsRoutes } from './routes/operations';
import { systemRoutes } from './routes/system';
import { workflowsRoutes } from './routes/workflows/workflows.index';
import type { AppDeps, AppEnv } from './types';
import { BUILT_IN_SPECS } from '../graph/nodes';
import { createRouter } from './validation';
import { completeResponses, documentedMethods } from './openapi-completion';
import { BraidError } from '../runs/errors';
import type { AppServices } from './app-services';
import { createAppServices } from './app-services';

export { createAppServices } from './app-services';
export type { AppServices } from './app-services';

/** How often a watched run is polled for changes (ms): one small query per run, however many watch it. */
export const DEFAULT_WATCH_INTERVAL_MS = 50;

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDeps, services: AppServices = createAppServices(deps)) {
  const { config, logger } = deps;
  const { types, validate, metrics, store, secret } = services;
  const countedRuns = deps.countedRuns;
  const temporalReady = temporalReadiness(deps.client, config.namespace, config.taskQueue, {
    claimCheck: deps.claimCheck === true,
    encrypted: deps.codec !== undefined,
  });
  const readiness = deps.readiness ?? (countedRuns ? withDatabaseCheck(temporalReady, countedRuns.ping) : temporalReady);

  const app = createRouter();

  app.use(requestId);
  app.use(requestSpan);
  app.use(requestLog(logger));
  app.use(metrics.middleware);
  app.use('/v1/*', auditTrail(services.auditLog, logger));
  app.use(async (c, next) => {
    c.set('validate', validate);
    c.set('nodeTypes', types);
    await next();
  });

  const renderProblem = problemRenderer(logger);
  app.onError(renderProblem);

  const { auth, session, limiter, permitted } = guardApi(app, config, deps.codec !== undefined, deps.sessions, services.keys, services.projects);

  // Whether a request carries a credential, without answering 401 (readiness detail, why a webhook was refused).
  const authenticated = credentialCheck(auth, session);
  app.route('/', systemRoutes(readiness, authenticated));
  // Before the pages: their headers (a strict CSP) are Braid's, not the Web UI's.
  if (config.temporalUiUpstream)
    app.route('/', temporalUiRoutes(config.temporalUiUpstream, session, authenticated, adminCheck(auth, session, config.admins ?? [])));
  // People's sign-in with OpenID Connect, when configured (it needs sessions: an API with a token).
  if (config.oidc && session) app.route('/', oidcRoutes(config.oidc, session, logger));
  app.route(
    '/',
    uiRoutes({
      assets: deps.assets ?? createAssets(),
      session,
      apiToken: config.apiToken,
      limiter,
      oidc: Boolean(config.oidc && session),
      keys: services.keys,
    }),
  );
  const watch = createRunWatch(store, { intervalMs: deps.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS });
  if (auth) app.use('/metrics', auth, permitted!);
  app.get('/metrics', async (c) => c.text(await metrics.scrape(), 200, { 'content-type': metrics.registry.contentType }));
  const bulk = createBulkOperations({ client: deps.client, taskQueue: config.taskQueue, runs: store });
  // Before the runs routes: /v1/runs/bulk is not a run id.
  app.route('/v1/runs', bulkRoutes(bulk));
  app.route('/v1/operations', operationsRoutes(bulk));
  // Everything a route does in a project goes through that project's services (app-services.ts): its saved workflows, schedules, runs.
  const inProject = (project: string) => {
    const p = services.inProject(project);
    return {
      store: p.runs,
      startDefinition: p.startDefinition,
      redrive: p.redrive,
      saved: p.saved,
      repository: p.repository,
      schedules: p.schedules,
      runs: p.runs,
    };
  };
  app.route('/v1/runs', runsRoutes({ store, watch, inProject, metrics, streamsPerPrincipal: config.sseStreamsPerPrincipal ?? 100 }));
  app.route('/v1/workflows', workflowsRoutes({ inProject }));
  app.route('/v1/audit', auditRoutes(services.auditLog));
  app.route('/v1', keysRoutes(services.keys, services.projects));
  app.route('/v1/projects', projectsRoutes(services.keys, services.projects));
  app.route('/v1/credentials', credentialsRoutes(services.credentials));
  app.route('/v1/node-types', nodeTypesRoutes(nodeTypeCatalog(types, deps.nodeTypes ?? new Map())));
  // Webhooks of `default` at /v1/hooks, of any other project at /v1/projects/:project/hooks.
  // An unsigned trigger's caller must be able to start runs in the trigger's project.
  const mayRun = async (c: Context<AppEnv>, project: string) => {
    const principal = c.get('principal');
    // Without an API token the API is open; with one, no principal may nothing.
    if (principal === undefined) return auth === undefined;
    if (c.get('admin') === true) return true;
    const role = (await requestRoles(c, services.keys, principal))[project];
    return role !== undefined && roleAllows(role, 'run');
  };
  const hooks = hooksRoutes({ inProject, auth, mayRun, authenticated, secret, ...hookExtras(services, deps) });

  app.route('/v1/hooks', hooks.defaultProject);
  app.route('/v1/projects', hooks.anyProject);
  if (deps.codec) mountCodec(app, config.maxBodyBytes, deps.codec);

  const document = describeApi(app, deps.nodeTypes);
  app.notFound(unknownRoute(document, renderProblem));
  return app;
}

export type App = ReturnType<typeof createApp>;

/** Webhooks' signatures used before (shared by replicas), debounced and batched triggers' windows and the deliveries they count. */
function hookExtras(services: AppServices, deps: AppDeps) {
  return { buffers: services.buffers, onBuffered: services.metrics.deliveryBuffered, ...(deps.usedSignatures ? { usedSignatures: deps.usedSignatures } : {}) };
}

/** Echoes the client's x-request-id when it is sane, else makes one. */
const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  c.set('requestId', id);
  c.header('x-request-id', id);
  await next();
};

/** /codec: the Web UI's codec server, under the API's body limit. */
function mountCodec(app: ReturnType<typeof createRouter>, maxBodyBytes: number, codec: NonNullable<AppDeps['codec']>): void {
  app.use(
    '/codec/*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new BraidError('payloadTooLarge', 'request body is too large', { headers: { connection: 'close' } });
      },
    }),
  );
  app.route('/codec', codecRoutes(codec));
}

/** A documented path asked with a method it does not take: 405 with Allow; anything else 404. */
function unknownRoute(document: ReturnType<typeof describeApi>, renderProblem: ReturnType<typeof problemRenderer>) {
  return (c: Context<AppEnv>) => {
    const allowed = documentedMethods(document(), c.req.path);
    if (allowed) {
      const headers = { allow: allowed.join(', ') };
      return renderProblem(
        new BraidError('methodNotAllowed', `${c.req.method} is not allowed on ${c.req.path}; it takes ${allowed.join(', ')}`, { headers }),
        c,
      );
    }
    return renderProblem(new BraidError('notFound', `no route for ${c.req.method} ${c.req.path}`), c);
  };
}

/** Renders any error as a problem (RFC 9457) with the request id; logs the unexpected ones. */
function problemRenderer(logger: AppDeps['logger']) {
  return (err: unknown, c: Context<AppEnv>) => {
    const requestIdValue = c.get('requestId');
    const { problem, headers, unexpected } = toProblem(err);
    if (unexpected) logger.error('unhandled error', { requestId: requestIdValue, err: err instanceof Error ? err.stack : String(err) });
    const res = c.json({ ...problem, requestId: requestIdValue }, problem.status as 400);
    res.headers.set('content-type', PROBLEM_CONTENT_TYPE);
    for (const [k, v] of Object.entries(headers ?? {})) res.headers.set(k, v);
    return res;
  };
}

/** The sign-in form is a token and a path: a few KB at most. */
const loginBodyLimit = bodyLimit({
  maxSize: 8 * 1024,
  onError: () => {
    throw new BraidError('payloadTooLarge', 'sign-in body is larger than 8 KB', { headers: { connection: 'close' } });
  },
});

/**
 * What stands in front of the routes: CORS for the codec (the Web UI calls it
 * from the browser), the Host check, the refusal of other sites' writes, the
 * count of failed sign-ins, the token or the pages' sign-in, JSON only, the
 * body limits, and the rate limit on writes.
 */

function guardApi(
  app: ReturnType<typeof createRouter>,
  config: AppDeps['config'],
  codec: boolean,
  sessions: SessionStore | undefined,
  keys: KeyStore,
  projects: ProjectStore,
) {
  if (codec) {
    // The Web UI calls the codec from the browser: CORS for its origin, before auth.
    app.use(
      '/codec/*',
      cors({
        origin: new URL(config.temporalUiUrl).origin,
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['content-type', 'authorization', 'x-namespace'],
        credentials: true,
        maxAge: 600,
      }),
    );
  }
  const auth = config.apiToken ? bearerAuth(config.apiToken, keys, config.admins ?? []) : undefined;
  let permitted: MiddlewareHandler<AppEnv> | undefined;
  const session = config.apiToken ? createSession(config.apiToken, sessions) : undefined;
  const trusted = trustedProxies(config.trustedProxies ?? []);
  const address = (c: Context<AppEnv>) => clientAddress(c, trusted);
  // DNS rebinding: only the names this server answers for (probes exempt: load balancers use service names).
  const hosts = hostCheck(config.publicUrl ? [new URL(config.publicUrl).hostname] : []);
  app.use('*', async (c, next) => (c.req.path === '/healthz' || c.req.path === '/readyz' ? next() : hosts(c, next)));
  // Another site's page may not change anything, signed in or not (the Web UI's codec calls aside: CORS allows its origin).
  const uiOrigin = new URL(config.temporalUiUrl).origin;
  app.use(
    '*',
    refuseCrossSite((c) => c.req.path.startsWith('/codec/') && c.req.header('origin') === uiOrigin),
  );
  // Failed sign-ins count per address, whatever RATE_LIMIT_PER_MINUTE says.
  app.use('*', failedAuthLimit(address));
  app.use('/ui/*', async (c, next) => (c.req.method === 'POST' ? loginBodyLimit(c, next) : next()));
  if (auth) {
    // Webhooks check a signature or the token themselves (routes/hooks.ts).
    // The pages' calls carry the sign-in cookie instead of the token.
    const pageOrToken = sessionOrBearer(session!, auth, config.admins ?? []);
    app.use('/v1/*', async (c, next) => (isHookPath(c.req.path) ? next() : pageOrToken(c, next)));
    app.use('/codec/*', auth);
    // Then each route's permission in the request's project (src/auth/roles.ts).
    permitted = authorize(keys, projects);
    app.use('/v1/*', async (c, next) => (isHookPath(c.req.path) ? next() : permitted!(c, next)));
    app.use('/codec/*', permitted);
  }
  app.use('/v1/*', requireJson);
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        // The rest of the body is never read: the connection cannot carry another request.
        throw new BraidError('payloadTooLarge', `request body is larger than ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`, {
          headers: { connection: 'close' },
        });
      },
    }),
  );
  // Keyed on who the request authenticated as, else its address: a caller cannot pick its own bucket.
  const limiter = rateLimit(config.rateLimitPerMinute, (c) => {
    const principal = c.get('principal');
    return principal ? `principal:${principal}` : `ip:${address(c)}`;
  });
  app.use('/v1/*', async (c, next) => (c.req.method === 'GET' ? next() : limiter(c, next)));

  return { auth, session, limiter, permitted };
}

/** The OpenAPI document: the security scheme, every node type's data, the API's description. */
function describeApi(app: ReturnType<typeof createRouter>, nodeTypes: AppDeps['nodeTypes']) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'Required on /v1/* when API_TOKEN is set.',
  });
  // Every node type documents its data: the built-in ones (src/graph/nodes) and the custom ones.
  for (const t of [...BUILT_IN_SPECS, ...(nodeTypes?.values() ?? [])]) {
    app.openAPIRegistry.register(`NodeData_${t.type}`, (t.data as z.ZodType).meta({ description: t.description ?? `Custom node type "${t.type}"` }) as never);
  }
  const base = {
    openapi: '3.1.0',
    info: {
      title: 'Braid API',
      version: '0.1.0',
      description:
        'Start, watch, list, cancel and validate durable graph workflow runs on Temporal; save versioned workflows and fire them by webhook or schedule.',
    },
  };
  // Built once, with what the front door answers on every route (openapi-completion.ts).
  let doc: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const document = () => (doc ??= completeResponses(app.getOpenAPI31Document(base)));
  app.get('/openapi.json', (c) => c.json(document()));
  return document;
}

/** A webhook delivery's path: it proves itself by signature or token (routes/hooks.ts), not by the API's sign-in. */
function isHookPath(path: string): boolean {
  return path.startsWith('/v1/hooks/') || /^\/v1\/projects\/[^/]+\/hooks\//.test(path);
}
