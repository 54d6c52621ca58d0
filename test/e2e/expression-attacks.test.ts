/**
 * Hostile expressions against a real worker process on the dev server: every
 * one in the catalogue (test/graph/hostile-expressions.ts) fails its node
 * with the limit it names, in parallel runs, while a trivial run started among
 * them succeeds, and the worker process is the same one at the end. Before
 * the limits, one catastrophic regex stalled the workflow thread past
 * Temporal's deadlock detector and crash-looped the worker.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/graph/run-state';
import { graph } from '../helpers/graphs';
import { createLocalEnv, uniqueId } from '../helpers/temporal';
import { HOSTILE_EXPRESSIONS } from '../graph/hostile-expressions';

const root = resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let worker: ChildProcess;
let exited = false;
const taskQueue = uniqueId('attacks');

beforeAll(async () => {
  env = await createLocalEnv();
  worker = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/worker.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  worker.on('exit', () => (exited = true));
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await env?.teardown();
});

/** A run's final state, or the problems that refused its definition. */
async function run(value: string): Promise<RunState | { problems: { code: string; message: string }[] }> {
  const definition = graph(uniqueId('hostile')).trigger().set('s', value).edge('start', 's').build();
  try {
    return await env.client.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', {
      taskQueue,
      workflowId: uniqueId('hostile-run'),
      args: [{ definition }],
      workflowExecutionTimeout: '3m',
    });
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
      const detail = err.cause.details?.[0];
      return Array.isArray(detail) ? { problems: detail } : (detail as RunState);
    }
    throw err;
  }
}

describe('hostile expressions against a real worker', () => {
  it('fail their nodes with the limit named while other runs go on, and the worker lives', async () => {
    const pid = worker.pid;
    // The worker is up (its first run bundles the workflow code).
    expect(await run('{% 1 + 1 %}')).toMatchObject({ status: 'succeeded' });
    const hostile = Promise.all(HOSTILE_EXPRESSIONS.map((h) => run(h.expression)));
    const started = Date.now();
    const trivial = await run('{% 2 + 2 %}');
    console.log(`a trivial run among ${HOSTILE_EXPRESSIONS.length} hostile ones took ${Date.now() - started} ms (client-observed)`);
    expect(trivial).toMatchObject({ status: 'succeeded', nodes: { s: { output: 4 } } });
    const states = await hostile;
    HOSTILE_EXPRESSIONS.forEach((h, i) => {
      const state = states[i]!;
      if (h.at === 'compile') {
        // The workflow validates its definition first, as the API does (422 there).
        expect('problems' in state && state.problems[0]).toMatchObject({ code: 'invalid_expression', message: expect.stringContaining('RE2') });
        return;
      }
      const node = (state as RunState).nodes.s!;
      if (h.code === null) {
        expect({ name: h.name, status: node.status, output: node.output }).toEqual({ name: h.name, status: 'succeeded', output: h.result });
      } else {
        expect({ name: h.name, status: node.status, type: node.error?.type, code: (node.error?.details as { code?: string })?.code }).toEqual({
          name: h.name,
          status: 'failed',
          type: 'ExpressionError',
          code: h.code,
        });
      }
    });
    expect(exited).toBe(false);
    expect(worker.pid).toBe(pid);
  }, 300_000);
});
