/** `delay`: waits durably for `data.duration` or until `data.until`. */
import { durationMs } from '../../src/graph/duration';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { NodeFailure } from '../errors';
import { delaySpec } from '../../src/graph/nodes/delay';
import type { Executor, NodeType } from './types';
import { describeValue } from './types';

const run: Executor = async (node, ctx) => {
  let ms: number;
  if (node.data.until !== undefined) {
    const until = await ctx.evaluate(node.data.until, 'data.until');
    const at = typeof until === 'string' ? Date.parse(until) : NaN;
    if (Number.isNaN(at)) throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.until must be an ISO time, got ${describeValue(until)}`);
    ms = Math.max(0, at - Date.now());
  } else {
    const duration = await ctx.evaluate(node.data.duration, 'data.duration');
    try {
      ms = durationMs(String(duration));
    } catch {
      throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `data.duration must be a duration, got ${describeValue(duration)}`);
    }
  }
  if (ms > 0) await ctx.sleep(ms);
  return { output: { waitedMs: ms }, attempts: 1, runMs: ms, execution: 'workflow' };
};

export const delay: NodeType = { ...delaySpec, run };
