import type { WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/graph/run-state';
import { stateFromEvents } from '../../src/runs/run-history';
import { viewOf } from '../../src/runs/run-view';
import { summaryOf, visibilityQuery } from '../../src/runs/run-visibility';

const started = new Date('2026-01-01T00:00:00.000Z');
const closed = new Date('2026-01-01T00:00:02.500Z');

/** A description as the client gives it, with only what the view reads. */
function description(status: string, memo: Record<string, unknown> = {}, closeTime: Date | undefined = closed): WorkflowExecutionDescription {
  return {
    status: { name: status },
    startTime: started,
    closeTime,
    runId: 'temporal-run',
    memo,
    typedSearchAttributes: { get: () => undefined },
  } as unknown as WorkflowExecutionDescription;
}

const links = { self: '/v1/runs/r1', temporalUi: 'http://ui/r1' };
const state: RunState = {
  runId: 'r1',
  name: 'orders',
  status: 'running',
  startedAt: started.toISOString(),
  input: { a: 1 },
  nodes: {
    start: { status: 'succeeded', attempts: 1 },
    call: { status: 'running', attempts: 1 },
    ok: { status: 'waiting', attempts: 0, waiting: { kind: 'approval', since: started.toISOString() } },
  },
  metrics: { wallMs: 0, workMs: 1_000, overheadMs: 0, efficiency: 0, criticalPathMs: 1_000, activityCount: 1 },
};

describe('viewOf', () => {
  it('takes status and wall time from Temporal, origin from the memo, and links waiting nodes to their answer', () => {
    const view = viewOf('r1', state, description('COMPLETED', { name: 'orders', version: 'abc', triggerKind: 'webhook', trigger: 'hook' }), links);
    expect(view).toMatchObject({
      status: 'succeeded',
      finishedAt: closed.toISOString(),
      workflow: { name: 'orders', version: 'abc' },
      trigger: { id: 'hook', kind: 'webhook' },
      parent: null,
    });
    expect(view.metrics).toMatchObject({ wallMs: 2_500, workMs: 1_000, overheadMs: 1_500, efficiency: 0.4 });
    expect(view.waitingFor).toEqual([{ nodeId: 'ok', kind: 'approval', since: started.toISOString(), links: { answer: '/v1/runs/r1/nodes/ok/decision' } }]);
  });

  it('says what ended a terminated run: its error, and its unfinished nodes canceled', () => {
    const view = viewOf('r1', state, description('TERMINATED'), links);
    expect(view.error).toEqual({ type: 'TerminatedFailure', message: 'run terminated' });
    expect(view.nodes.call!.status).toBe('canceled');
    expect(view.nodes.start!.status).toBe('succeeded');
  });
});

describe('stateFromEvents', () => {
  it('rebuilds each activity node from its scheduled and closing events, and the failure of the last event', () => {
    const events = [
      { eventId: 5, activityTaskScheduledEventAttributes: { activityId: 'a' } },
      { eventId: 6, activityTaskScheduledEventAttributes: { activityId: 'b' } },
      { eventId: 9, activityTaskCompletedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 10, activityTaskFailedEventAttributes: { scheduledEventId: 6 } },
      { eventId: 11, workflowExecutionFailedEventAttributes: { failure: { message: 'b failed', applicationFailureInfo: { type: 'RunFailed' } } } },
    ] as never[];
    const rebuilt = stateFromEvents(
      'r1',
      events,
      { input: 7, definition: { nodes: [{ id: 'start' }, { id: 'a' }, { id: 'b' }, { nope: 1 }] } },
      description('FAILED'),
      Date.now(),
    );
    expect(rebuilt.nodes).toEqual({ start: { status: 'pending', attempts: 0 }, a: { status: 'succeeded', attempts: 1 }, b: { status: 'failed', attempts: 1 } });
    expect(rebuilt).toMatchObject({
      status: 'failed',
      input: 7,
      error: { type: 'RunFailed', message: 'b failed' },
      metrics: { wallMs: 2_500, activityCount: 2 },
    });
  });

  it('reads nothing from a start input that is not a definition', () => {
    expect(stateFromEvents('r1', [], { definition: 'garbage' }, description('CANCELLED'), Date.now()).nodes).toEqual({});
  });
});

describe('visibility', () => {
  it('quotes every value of the list filter', () => {
    expect(visibilityQuery({ status: 'timed_out', workflow: 'a"b', closedAfter: '2026-01-01T00:00:00Z' })).toBe(
      `WorkflowType = 'graphWorkflow' AND CloseTime > "2026-01-01T00:00:00Z" AND ExecutionStatus = 'TimedOut' AND BraidWorkflow = "a\\"b" AND BraidTest IS NULL`,
    );
    // Redrives of one run, test runs included.
    expect(visibilityQuery({ redriveOf: 'r"1', test: 'any' })).toBe(`WorkflowType = 'graphWorkflow' AND BraidRedriveOf = "r\\"1"`);
    expect(visibilityQuery({ test: 'true' })).toBe(`WorkflowType = 'graphWorkflow' AND BraidTest = 'true'`);
  });

  it('names a run by its search attribute, else its memo, else the default', () => {
    const base = {
      execution: { workflowId: 'r1' },
      status: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
      startTime: { seconds: 1_767_225_600 as never, nanos: 5_000_000 },
    };
    const fromMemo = summaryOf({ ...base, memo: { fields: { name: defaultPayloadConverter.toPayload('orders') } } });
    expect(fromMemo).toEqual({
      runId: 'r1',
      name: 'orders',
      version: null,
      status: 'canceled',
      startedAt: '2026-01-01T00:00:00.005Z',
      finishedAt: null,
      redriveOf: null,
      test: false,
    });
    expect(summaryOf(base).name).toBe('unnamed');
  });
});
