/**
 * Schemas built once per workflow thread (src/graph/build-once.ts): a worker
 * whose bundle preloads WORKFLOW_PRELOAD_MODULES gives its second workflow
 * the very schema objects its first one built, instead of building them
 * again; without the preload each workflow builds its own (the same values).
 * Every key names the module that builds it, once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../src/graph/build-once';
import { workflowBundleOptions } from '../../src/temporal/worker';
import { createTimeSkippingEnv, uniqueId } from '../helpers/temporal';

const ROOT = resolve(__dirname, '..', '..');
const PROBE = resolve(__dirname, '..', 'fixtures', 'build-once', 'workflows.ts');
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 120_000);
afterAll(() => env?.teardown());

/** Runs the probe twice, one after the other, on one worker thread of a worker with this bundle. */
async function probeTwice(preloadModules: string[]) {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(PROBE), preloadModules, logger: silent });
  const taskQueue = uniqueId('build-once');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { code }, workflowThreadPoolSize: 1 });
  const ids = [uniqueId('probe'), uniqueId('probe')];
  const probe = (workflowId: string) => env.client.workflow.execute('sharedSchemasProbe', { taskQueue, workflowId });
  const [first, second] = await worker.runUntil(async () => [await probe(ids[0]!), await probe(ids[1]!)]);
  return { ids, first, second };
}

describe('schemas built once per workflow thread', () => {
  it("gives a worker's second workflow the schemas its first built", async () => {
    const { ids, first, second } = await probeTwice(workflowBundleOptions().preloadModules);
    expect(first).toEqual({ builtBy: ids[0], definition: true, httpData: true, credentialName: true });
    // The second workflow found the first one's values, and its own modules hold the very same schemas.
    expect(second).toEqual({ builtBy: ids[0], definition: true, httpData: true, credentialName: true });
  }, 120_000);

  it('builds them per workflow when the bundle does not preload', async () => {
    const { ids, second } = await probeTwice([]);
    expect(second.builtBy).toBe(ids[1]);
  }, 120_000);

  it('builds a key once and hands out that value after', () => {
    let builds = 0;
    const build = () => ({ n: ++builds });
    const first = buildOnce('test/build-once#counter', build);
    expect(buildOnce('test/build-once#counter', build)).toBe(first);
    expect(builds).toBe(1);
  });

  it('names each key after the module that builds it, and uses each once', () => {
    const keys: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          const module = relative(ROOT, path).replace(/\.ts$/, '');
          for (const [, key] of readFileSync(path, 'utf8').matchAll(/buildOnce\('([^']+)'/g)) {
            expect(key!.startsWith(`${module}#`), `${key} in ${module}`).toBe(true);
            keys.push(key!);
          }
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});
