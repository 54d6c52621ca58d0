/** Custom node types on the time-skipping server: success, failure, timeout. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { createNodeTypeActivities, INVALID_NODE_DATA } from '../../activities/node-types';
import { defineNodeType } from '../../src/node-types';
import { graph } from '../helpers/graphs';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, testActivities } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
const attempts: number[] = [];

const types = new Map(
  [
    defineNodeType({
      type: 'greet',
      data: z.object({ name: z.string().min(1) }).strict(),
      run: async ({ name }, { attempt }) => {
        attempts.push(attempt);
        if (name === 'flaky' && attempt < 2) throw new Error('try again');
        return { greeting: `hello ${name}`, attempt };
      },
    }),
    defineNodeType({
      type: 'wait-for-abort',
      data: z.object({}).strict(),
      run: (_data, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    }),
  ].map((t) => [t.type, t] as const),
);
const activities = { ...createNodeTypeActivities(types, 100), ...testActivities() } as Activities;
const nodeTypes = [...types.keys()];
const one = (type: string, data: Record<string, unknown>, extra = {}) => graph().trigger().node('n', type, data, extra).edge('start', 'n').build();

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('custom node types', () => {
  it("evaluates the data's expressions and returns what run returns, retried per the node's retry", async () => {
    const { state } = await runGraph(env, one('greet', { name: '{% $input.who %}' }, { retry: { maximumAttempts: 3, initialInterval: '1s' } }), {
      activities,
      nodeTypes,
      input: { who: 'flaky' },
    });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.n).toMatchObject({ status: 'succeeded', output: { greeting: 'hello flaky', attempt: 2 }, execution: 'activity' });
  });

  it('fails without retrying when the evaluated data does not fit the schema', async () => {
    const before = attempts.length;
    const { state } = await runGraph(env, one('greet', { name: '{% "" %}' }, { retry: { maximumAttempts: 5 } }), { activities, nodeTypes });
    expect(state.nodes.n).toMatchObject({ status: 'failed', error: { type: INVALID_NODE_DATA, message: expect.stringContaining('data.name') } });
    expect(attempts.length).toBe(before);
  });

  it("times out after the node's timeout", async () => {
    // (A running activity holds the time-skipping clock: the timeout passes in real time.)
    const { state } = await runGraph(env, one('wait-for-abort', {}, { timeout: '2s', retry: { maximumAttempts: 1 } }), { activities, nodeTypes });
    expect(state.nodes.n).toMatchObject({ status: 'failed', error: { type: 'TimeoutFailure' } });
  });

  // Cancellation runs on the dev server (test/e2e/language.test.ts): on the
  // time-skipping server the clock jumps past the cancellation while the
  // activity waits for it to arrive with a heartbeat.

  it('a workflow that was not told about the type refuses it', async () => {
    const { failure } = await runGraph(env, one('greet', { name: 'x' }), { activities });
    expect(failure).toMatchObject({ type: 'InvalidDefinition', details: [[expect.objectContaining({ code: 'unknown_type', path: '$.nodes[1].type' })]] });
  });
});
