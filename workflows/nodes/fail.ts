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
import { NodeFailure } from '../errors';
import { failSpec } from '../../src/graph/nodes/fail';
import type { NodeType } from './types';

export const fail: NodeType = {
  ...failSpec,
  run: async (node, ctx) => {
    const message = await ctx.evaluate(node.data.message, 'data.message');
    const details = node.data.details === undefined ? undefined : await ctx.evaluate(node.data.details, 'data.details');
    const text = typeof message === 'string' ? message : (JSON.stringify(message) ?? String(message));
    throw new NodeFailure(node.data.error as string, text, details);
  },
};
