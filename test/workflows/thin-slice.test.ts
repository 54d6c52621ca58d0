import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/graph/run-state';
import { graphWorkflow } from '../../workflows';
import { createTestWorker, testActivities, uniqueId, useTimeSkippingWithTarget } from '../helpers/temporal';

describe('thin slice on the time-skipping server', () => {
  const ctx = useTimeSkippingWithTarget();

  it('runs trigger -> http and reports the http output', async () => {
    // start ──▶ users
    const { env, target } = ctx;
    const taskQueue = uniqueId('tq');
    const worker = await createTestWorker(env, testActivities(), taskQueue);
    const definition = {
      name: 'thin',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'users', type: 'http', data: { url: `${target.url}/echo`, query: { id: '{% $string($input.id) %}' } } },
      ],
      edges: [{ source: 'start', target: 'users' }],
    };
    const result: RunState = await worker.runUntil(
      env.client.workflow.execute(graphWorkflow, {
        taskQueue,
        workflowId: uniqueId('thin'),
        args: [{ definition, input: { id: 42 } }],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.nodes.start).toMatchObject({ status: 'succeeded', output: { id: 42 } });
    const users = result.nodes.users!;
    expect(users.status).toBe('succeeded');
    expect(users.attempts).toBe(1);
    expect(users.output).toMatchObject({ status: 200, body: { method: 'GET', query: { id: '42' } } });
    expect((users.output as { headers: Record<string, string> }).headers['content-type']).toBe('application/json');
    expect(result.metrics.activityCount).toBe(1);
  });
});
