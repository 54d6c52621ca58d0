/**
 * WORKER_MAX_ACTIVITIES caps the activities a worker process runs at once:
 * a graph allowed 100 in parallel has at most that many of its requests in
 * flight at the target, and still runs every node.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/graph/run-state';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { createLocalEnv, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let target: HttpTarget;

beforeAll(async () => {
  [env, target] = await Promise.all([createLocalEnv(), startHttpTarget()]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
});

describe('WORKER_MAX_ACTIVITIES', () => {
  it('keeps a worker to that many activities at once', async () => {
    const taskQueue = uniqueId('capped');
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/worker.ts'], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, WORKER_MAX_ACTIVITIES: '2', HTTP_ALLOWLIST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      const b = graph('capped').trigger().with({ maxParallel: 100 });
      for (const i of [1, 2, 3, 4, 5, 6]) b.http(`h${i}`, `${target.url}/delay/200?t=capped-${i}`).edge('start', `h${i}`);
      const state = await env.client.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', {
        taskQueue,
        workflowId: uniqueId('capped-run'),
        args: [{ definition: b.build() }],
        workflowExecutionTimeout: '2m',
      });
      expect(state.status).toBe('succeeded');
      const rs = target.requests.filter((r) => r.path.startsWith('/delay/200?t=capped-'));
      expect(rs).toHaveLength(6);
      const inFlight = (r: (typeof rs)[number]) => rs.filter((o) => o.startTick <= r.startTick && (o.endTick ?? Infinity) > r.startTick).length;
      expect(Math.max(...rs.map(inFlight))).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);
});
