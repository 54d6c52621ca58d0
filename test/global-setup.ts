/**
 * Runs once before the suite: bundles the workflow code a single time (every
 * test worker reuses it) so no test pays for webpack.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { workflowBundleOptions } from '../src/temporal/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'braid-bundle-'));
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietLogger });
  const codePath = join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  project.provide('workflowBundlePath', codePath);
  return () => rmSync(dir, { recursive: true, force: true });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
