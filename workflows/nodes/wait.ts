/**
 * `wait`: waits for the external event `data.event`, delivered by the `event`
 * Signal (`POST /v1/runs/:runId/events/:event`); the event's body is the
 * node's output and its plain edges are taken. An event that arrived before
 * the node started waiting was kept for it. When `data.timeout` passes first:
 * the `timeout` edges (or, with none, the node fails with WaitTimeout).
 */
import { durationMs } from '../../src/graph/duration';
import type { Executor, NodeType } from './types';
import { timedOut, timeoutHandleOf } from './waiting';
import { z } from 'zod';
import { durationSchema, eventNameSchema, TIMEOUT_HANDLE, uiKeys } from '../../src/graph/schema';

const run: Executor = async (node, ctx) => {
  const event = String(node.data.event);
  const timeoutMs = node.data.timeout === undefined ? undefined : durationMs(String(node.data.timeout));
  const startedMs = Date.now();
  if (ctx.mailbox.keptCount(event) === 0) {
    ctx.markWaiting(node, {
      kind: 'event',
      event,
      ...(timeoutMs === undefined ? {} : { timeoutAt: new Date(startedMs + timeoutMs).toISOString() }),
    });
  }
  const answer = await ctx.mailbox.waitEvent(event, timeoutMs);
  const runMs = Date.now() - startedMs;
  if (answer === 'timeout') return timedOut(node, ctx, runMs, `no "${event}" event`);
  return { output: answer.value, attempts: 1, runMs, execution: 'workflow' };
};

export const wait: NodeType = {
  type: 'wait',
  label: 'Wait for event',
  description: 'Waits for a named event (POST …/events/:event); the event body is its output.',
  category: 'wait',
  data: z.object({ event: eventNameSchema, timeout: durationSchema.optional(), ...uiKeys }).strict(),
  handles: () => [undefined, TIMEOUT_HANDLE],
  handleOf: (output) => timeoutHandleOf(output) ?? {},
  activitySlot: false,
  local: false,
  ownRun: true,
  run,
};
