/**
 * `code`: runs the node's source in the worker's WebAssembly sandbox (the
 * `code` activity, activities/code.ts) on `$input`, `$nodes` and `$run`.
 * The source is taken as written, never searched for expressions. A
 * placeholder of a secret in what the code gets becomes `[secret]`: code
 * never holds anything that could become a secret.
 */
import { codeDataSchema, codeSpec, codeTimeoutMs } from '../../src/graph/nodes/code';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { redactSecrets } from '../../src/graph/secrets';
import { NodeFailure } from '../errors';
import type { Attempted } from '../../activities';
import type { CodeInput, CodeResult } from '../../activities/code';
import type { Executor, NodeType } from './types';

const run: Executor = async (node, ctx) => {
  const parsed = codeDataSchema.safeParse(node.data);
  if (!parsed.success) throw new NodeFailure(FAILURE_TYPES.invalidNodeData, `invalid code data: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const data = parsed.data;
  const request: CodeInput = redactSecrets({
    nodeId: node.id,
    code: data.code,
    language: data.language,
    timeoutMs: codeTimeoutMs(data, node.timeout),
    ...(data.memory === undefined ? {} : { memoryMiB: data.memory }),
    input: ctx.input,
    nodes: ctx.nodesView,
    run: { id: ctx.run.id, startedAt: ctx.run.startedAt },
  });
  const result = await ctx.dispatcher.call(node, 'code', ctx.run.taskQueue, [request], 'braid');
  const answer = result.output as Attempted<CodeResult>;
  return {
    ...result,
    output: answer.output.value,
    attempts: answer.attempt,
    queuedMs: answer.queuedMs,
    runMs: answer.runMs,
    logs: answer.output.logs,
    ...(answer.output.logsDropped ? { logsDropped: answer.output.logsDropped } : {}),
  };
};

export const code: NodeType = { ...codeSpec, run };
