/**
 * `subworkflow`: runs another graph as a Temporal child workflow (the same
 * interpreter), either inline (`data.workflow`) or a saved one (`data.ref`,
 * resolved by the API when the run started and passed in `library`). Its id
 * is `<run id>.<node id>`: its own run in the API, linked to this one both
 * ways. The output is the child run's output; a failed child fails the node
 * (then `onError` decides); `timeout` bounds the child run (it times out, and
 * the node fails); canceling this node or this run cancels the child.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ChildWorkflowCancellationType, executeChild, isCancellation, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../src/graph/failures';
import type { GraphWorkflowInput, RunState } from '../../src/graph/run-state';
import { childRunId, NAME_SEARCH_ATTRIBUTE, VERSION_SEARCH_ATTRIBUTE, WORKFLOW_TYPE } from '../../src/graph/run-state';
import { NodeFailure, runFailureError } from '../errors';
import { withTrace } from '../run-trace';
import { subworkflowSpec } from '../../src/graph/nodes/subworkflow';
import type { Executor, NodeType } from './types';

const nameKey = defineSearchAttributeKey(NAME_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
const versionKey = defineSearchAttributeKey(VERSION_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

const run: Executor = async (node, ctx) => {
  const ref = typeof node.data.ref === 'string' ? node.data.ref : undefined;
  const saved = ref === undefined ? undefined : ctx.run.library[ref];
  if (ref !== undefined && saved === undefined) {
    throw new NodeFailure(FAILURE_TYPES.unknownWorkflowRef, `saved workflow "${ref}" was not resolved when the run started`);
  }
  const definition = saved ? saved.definition : node.data.workflow;
  const name = saved?.name ?? ((definition as { name?: unknown }).name as string | undefined) ?? node.id;
  const input = node.data.input === undefined ? null : await ctx.evaluate(node.data.input, 'data.input');
  const id = childRunId(ctx.run.id, node.id);
  await ctx.secrets.prepare(definition);
  const args: GraphWorkflowInput = {
    definition,
    input,
    library: ctx.run.library,
    parent: { runId: ctx.run.id, nodeId: node.id },
    ...(ctx.run.nodeTypes.length > 0 ? { nodeTypes: [...ctx.run.nodeTypes] } : {}),
    ...(ctx.run.claimCheck ? { claimCheck: true } : {}),
    ...(ctx.secrets.nonce ? { secretNonce: ctx.secrets.nonce } : {}),
    ...withTrace(ctx.traceOf(node.id)),
  };
  const startedMs = Date.now();
  try {
    const state = await executeChild<(a: GraphWorkflowInput) => Promise<RunState>>(WORKFLOW_TYPE, {
      workflowId: id,
      args: [args],
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      // The node's timeout bounds the whole child run.
      ...(node.timeout === undefined ? {} : { workflowExecutionTimeout: node.timeout }),
      memo: { name, ...(saved ? { version: saved.version } : {}), parentRunId: ctx.run.id, parentNodeId: node.id, triggerKind: 'manual' },
      // Braid registers both keys together; a parent that carries one proves the namespace has them.
      ...(workflowInfo().typedSearchAttributes.get(nameKey) === undefined
        ? {}
        : { typedSearchAttributes: [{ key: nameKey, value: name }, ...(saved ? [{ key: versionKey, value: saved.version }] : [])] }),
      staticSummary: `Braid subworkflow "${name}" of run ${ctx.run.id}, node ${node.id}`,
    });
    return { output: state.output ?? null, attempts: 1, runMs: Date.now() - startedMs, execution: 'workflow', childRunId: id };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const inner = runFailureError((err as { cause?: unknown }).cause ?? err);
    const failedNodes = (inner.details as { failedNodes?: string[] } | undefined)?.failedNodes;
    throw new NodeFailure(FAILURE_TYPES.subworkflowFailed, `subworkflow run ${id} failed: ${inner.message}`, {
      childRunId: id,
      ...(failedNodes ? { failedNodes } : {}),
    });
  }
};

export const subworkflow: NodeType = { ...subworkflowSpec, run };
