/** Health, readiness, the OpenAPI document and the API reference page. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { AppEnv, ReadinessReport } from '../types';

const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Braid API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="api"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true });</script>
</body>
</html>`;

/**
 * `/readyz` is public (load balancers probe it); only a caller with a
 * credential sees each check's detail (addresses, errors): others get the
 * status and each check's name and `ok`.
 */
export function systemRoutes(readiness: () => Promise<ReadinessReport>, authenticated: (c: Context<AppEnv>) => Promise<boolean> = async () => true) {
  const app = new Hono<AppEnv>();
  const assetCache = new Map<string, string>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const report = await readiness();
    const detailed = await authenticated(c);
    const checks = detailed ? report.checks : Object.fromEntries(Object.entries(report.checks).map(([name, check]) => [name, { ok: check.ok }]));
    return c.json({ status: report.ready ? 'ready' : 'not ready', checks }, report.ready ? 200 : 503);
  });

  app.get('/docs', (c) => c.html(DOCS_PAGE));
  app.get('/docs/:asset', (c) => {
    const asset = c.req.param('asset');
    const type = DOCS_ASSETS[asset];
    if (!type) return c.notFound();
    let body = assetCache.get(asset);
    if (body === undefined) {
      body = readFileSync(join(getAbsoluteFSPath(), asset), 'utf8');
      assetCache.set(asset, body);
    }
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
  });

  return app;
}
