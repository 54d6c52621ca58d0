/**
 * `fail`: ends the run as failed, on purpose (AWS Step Functions' `Fail`
 * state, n8n's "Stop and Error"). Reaching it fails the node with the error
 * its data names (`error` is the type, `message` and `details` may be
 * expressions) and the run with that same error and the node's id; the nodes
 * still running are cancelled whatever `settings.onError` says, and error
 * workflows run as for any failed run. It has no out-edges and takes no
 * `onError`: nothing comes after it. Reach it from a condition's or a
 * switch's branch, or from an `onError: "branch"` error edge.
 */
import { z } from 'zod';
import { uiKeys } from '../../src/graph/schema';
import { NodeFailure } from '../errors';
import type { NodeType } from './types';

/** A failure type as people and programs match on it: `OrderRejected`, `payment.declined`. */
const ERROR_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

export const fail: NodeType = {
  type: 'fail',
  label: 'Fail',
  description: 'Ends the run as failed with the error it names (type, message, details); nodes still running are cancelled.',
  category: 'logic',
  data: z
    .object({
      error: z.string().regex(ERROR_TYPE, 'must be a name such as "OrderRejected": a letter, then letters, digits, _ . : - (100 at most)'),
      message: z.string().min(1).max(10_000),
      details: z.unknown().optional(),
      ...uiKeys,
    })
    .strict(),
  handles: () => [],
  activitySlot: false,
  local: false,
  endsRun: true,
  run: async (node, ctx) => {
    const message = await ctx.evaluate(node.data.message, 'data.message');
    const details = node.data.details === undefined ? undefined : await ctx.evaluate(node.data.details, 'data.details');
    const text = typeof message === 'string' ? message : (JSON.stringify(message) ?? String(message));
    throw new NodeFailure(node.data.error as string, text, details);
  },
};
