/**
 * What the pages' browser tests run against: a Temporal dev server (with its
 * Web UI when `uiPort` is given), a Braid worker, the API on a real port, a
 * local HTTP target and Debian's Chromium.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'playwright-core';
import { createApp } from '../../src/api/app';
import { silentLogger } from '../../src/logger';
import { loadNodeTypes } from '../../src/node-types';
import { launchBrowser } from './browser';
import type { HttpTarget } from './http-target';
import { startHttpTarget } from './http-target';
import { serveApp } from './serve';
import { admissionOn, createLocalEnv, createTestWorker, testActivities, uniqueId } from './temporal';

export interface PageStackOptions {
  /** Where the dev server's Web UI listens; none without it. */
  uiPort?: number;
  apiToken?: string;
  /** A module of custom node types (BRAID_NODE_TYPES), loaded here: after the API, whose import gives zod its OpenAPI extension. */
  nodeTypesModule?: string;
}

export interface PageStack {
  env: TestWorkflowEnvironment;
  target: HttpTarget;
  browser: Browser;
  /** The API's base URL. */
  url: string;
  close(): Promise<void>;
}

export async function startPageStack(opts: PageStackOptions = {}): Promise<PageStack> {
  const taskQueue = uniqueId('page-tq');
  const [env, target, browser] = await Promise.all([
    createLocalEnv(opts.uiPort === undefined ? {} : { uiPort: opts.uiPort }),
    startHttpTarget(),
    launchBrowser(),
  ]);
  const worker = await createTestWorker(env, testActivities({ admission: admissionOn(env, taskQueue) }), taskQueue);
  const workerDone = worker.run();
  const nodeTypes = opts.nodeTypesModule ? await loadNodeTypes(opts.nodeTypesModule) : undefined;
  const app = createApp({
    client: env.client,
    config: {
      namespace: 'default',
      taskQueue,
      temporalUiUrl: opts.uiPort === undefined ? 'http://127.0.0.1:1' : `http://127.0.0.1:${opts.uiPort}`,
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 0,
      ...(opts.apiToken ? { apiToken: opts.apiToken } : {}),
    },
    logger: silentLogger,
    watchIntervalMs: 50,
    ...(nodeTypes ? { nodeTypes } : {}),
  });
  const server = await serveApp(app);
  return {
    env,
    target,
    browser,
    url: server.url,
    async close() {
      await browser.close();
      await server.close();
      worker.shutdown();
      await workerDone;
      await Promise.all([env.teardown(), target.close()]);
    },
  };
}
