/** Shared Temporal plumbing for tests: environments, the pre-built bundle, workers. */
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import type { HttpTarget } from './http-target';
import { startHttpTarget } from './http-target';
import type { Activities } from '../../activities';
import { createActivities } from '../../activities';
import { SEARCH_ATTRIBUTES } from '../../src/graph/run-state';
import { sdkExecutable } from '../../src/temporal/binaries';
import { createBraidWorker } from '../../src/temporal/worker';
import { createAdmitter } from '../../src/runs/admission';
import { DEV_SERVER_TUNING } from '../../src/temporal/dev-server';

let runtimeInstalled = false;

/** SDK and workflow log entries of this test process, for tests that check what was logged. */
export const sdkLogs: { level: string; message: string; meta?: Record<string, unknown> }[] = [];

/**
 * Records the SDK's log entries (workflow logs included) into `sdkLogs`
 * instead of printing them, so test output stays readable.
 */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('DEBUG', (entry) => {
        if (entry.meta?.sdkComponent === 'workflow') sdkLogs.push({ level: entry.level, message: entry.message, meta: entry.meta });
      }),
    });
  } catch {
    // already installed by another test in this worker
  }
}

/** Temporal's time-skipping test server, with Braid's search attributes (as Braid registers them on any server it starts on). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: sdkExecutable('testServer') } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}

/** A real dev server (the Temporal CLI), in memory, with Braid's search attributes (and its Web UI on `uiPort` when given). */
export function createLocalEnv(opts: { uiPort?: number } = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: sdkExecutable('cli'),
      ...(opts.uiPort !== undefined ? { ui: true, uiPort: opts.uiPort } : {}),
      searchAttributes: SEARCH_ATTRIBUTES.map((name) => ({ name, type: 'KEYWORD' }) as never),
      // The embedded server's tuning (npm start uses the same).
      extraArgs: DEV_SERVER_TUNING,
    },
  });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Activities for tests: real ones, with loopback allowed for local test servers. */
export function testActivities(overrides: Partial<Parameters<typeof createActivities>[0]> = {}): Activities {
  return createActivities({ httpAllowlist: ['127.0.0.1', 'localhost', '::1'], heartbeatIntervalMs: 200, ...overrides });
}

/** What admission (settings.concurrency, settings.rateLimit) needs on a test worker: the env's client. */
export function admissionOn(env: TestWorkflowEnvironment, taskQueue: string) {
  return { client: env.client, admitter: createAdmitter({ client: env.client, taskQueue }) };
}

export async function createTestWorker(env: TestWorkflowEnvironment, activities: Activities, taskQueue: string): Promise<Worker> {
  return createBraidWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
}

/**
 * One time-skipping server and one local HTTP target per test file, started
 * before its tests and stopped after them. Read `ctx.env` / `ctx.target` inside tests.
 */
export function useTimeSkippingWithTarget(): { env: TestWorkflowEnvironment; target: HttpTarget } {
  const ctx = {} as { env: TestWorkflowEnvironment; target: HttpTarget };
  beforeAll(async () => {
    [ctx.env, ctx.target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
  });
  afterAll(async () => {
    await Promise.all([ctx.env?.teardown(), ctx.target?.close()]);
  });
  return ctx;
}
