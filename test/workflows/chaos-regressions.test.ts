/**
 * Regressions found by the chaos runner (`npm run chaos`), each reduced to the
 * graph that showed it, on the time-skipping server.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, testActivities } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
beforeAll(async () => {
  [env, target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
});

describe('chaos regressions', () => {
  /*
   * seed 42, run chaos-42-696 (settings.onError failFast):
   *
   *   start ─┬─▶ n1 (http, fails, onError fail) ──┐
   *          ├─▶ n2 (http, slow, onError branch)  │
   *          └─▶ n3 (http, onError branch) ◀──────┘
   *
   * n1's failure stops the run while n2 is in flight: n2 must end canceled,
   * not failed (an onError "branch" node took the cancellation for its own failure).
   */
  it('a branch node canceled by fail-fast ends canceled, not failed', async () => {
    const def = graph('chaos-42-696')
      .trigger()
      .http('n1', `${target.url}/status/400`)
      .http('n2', `${target.url}/delay/3000`, { onError: 'branch' })
      .http('n3', `${target.url}/status/400`, { onError: 'branch' })
      .edge('start', 'n1')
      .edge('start', 'n2')
      .edge('start', 'n3')
      .edge('n1', 'n3')
      .with({ onError: 'failFast' })
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('failed');
    expect(state.nodes.n1!.status).toBe('failed');
    expect(state.nodes.n2!.status).toBe('canceled');
  });
});

describe('chaos regressions: a stopped node that ends otherwise', () => {
  /*
   * The same graph, with n2's activity ending in an error (not a cancellation)
   * once it is asked to stop, as when its worker dies and the activity times
   * out before the cancellation is confirmed: n2 is canceled, not failed.
   */
  it('is canceled, whatever error it ends with after the stop', async () => {
    const base = testActivities();
    const http = (async (input: Parameters<typeof base.http>[0]) => {
      if (input.nodeId !== 'n2') return base.http(input);
      const ctx = Context.current();
      for (;;) {
        ctx.heartbeat();
        if (ctx.cancellationSignal.aborted) throw ApplicationFailure.nonRetryable('lost its worker after the stop', 'Gone');
        await new Promise((r) => setTimeout(r, 50));
      }
    }) as typeof base.http;
    const def = graph('chaos-42-696-b')
      .trigger()
      .http('n1', `${target.url}/status/400`)
      .http('n2', `${target.url}/delay/3000`, { onError: 'branch' })
      .edge('start', 'n1')
      .edge('start', 'n2')
      .with({ onError: 'failFast' })
      .build();
    const { state } = await runGraph(env, def, { activities: { ...base, http } });
    expect(state.status).toBe('failed');
    expect(state.nodes.n1!.status).toBe('failed');
    expect(state.nodes.n2!.status).toBe('canceled');
    expect(state.nodes.n2!.error?.message).toContain('lost its worker after the stop');
  });
});
