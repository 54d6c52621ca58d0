/**
 * `wait`: waits for the external event `data.event`, delivered by the `event`
 * Signal (`POST /v1/runs/:runId/events/:event`); the event's body is the
 * node's output and its plain edges are taken. An event that arrived before
 * the node started waiting was kept for it. When `data.timeout` passes first:
 * the `timeout` edges (or, with none, the node fails with WaitTimeout).
 */
import { durationMs } from '../../src/graph/duration';
import { waitSpec } from '../../src/graph/nodes/wait';
import type { Executor, NodeType } from './types';
import { timedOut } from './waiting';

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

export const wait: NodeType = { ...waitSpec, run };
