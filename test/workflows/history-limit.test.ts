/**
 * A run whose history nears the limits fails itself with HistoryLimit, saying
 * why, instead of being terminated by the server; what ran keeps its state,
 * the rest is canceled or skipped. The history it leaves replays cleanly.
 * (Limits are lowered here so a small graph reaches them.)
 *
 *   start ─▶ d0 ─▶ d1 ─▶ … ─▶ d39      each a 1 s delay
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { graph } from '../helpers/graphs';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(() => env?.teardown());

function chainOfDelays(n: number) {
  let g = graph('history-limit').trigger();
  for (let i = 0; i < n; i++) g = g.node(`d${i}`, 'delay', { duration: '1s' }).edge(i === 0 ? 'start' : `d${i - 1}`, `d${i}`);
  return g.build();
}

describe('history limit', () => {
  it('fails the run with HistoryLimit once its history passes the limit, and the history replays', async () => {
    const { state, failure, workflowId } = await runGraph(env, chainOfDelays(40), { historyLimits: { events: 60, bytes: 40 * 1024 * 1024 } });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(FAILURE_TYPES.historyLimit);
    expect((failure as ApplicationFailure).message).toMatch(/run history reached \d+ events .* past Braid's limit of 60 events/);
    expect(state.status).toBe('failed');
    expect(state.error?.type).toBe(FAILURE_TYPES.historyLimit);
    const statuses = Object.values(state.nodes).map((n) => n.status);
    expect(statuses.filter((s) => s === 'succeeded').length).toBeGreaterThan(3);
    expect(statuses).not.toContain('running');
    expect(state.nodes.d39!.status).not.toBe('succeeded');

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events!.length).toBeLessThan(60 + 20);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId);
  });

  it('leaves a run under the limit alone', async () => {
    const { state, failure } = await runGraph(env, chainOfDelays(10), { historyLimits: { events: 1_000, bytes: 40 * 1024 * 1024 } });
    expect(failure).toBeUndefined();
    expect(state.status).toBe('succeeded');
  });
});
