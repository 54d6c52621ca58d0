/** The workflow bundle's entry: the interpreter, its queries, and the batch child it starts for wide ready sets. */
export { changesQuery, decisionUpdate, eventSignal, forEachProgressSignal, graphWorkflow, stateQuery } from './graph-workflow';
export { forEachBatchWorkflow } from './for-each-batch-workflow';
export { nodeBatchWorkflow } from './node-batch-workflow';
export { bulkOperationWorkflow, bulkProgressQuery } from './bulk-operation-workflow';
export { braidAdmission } from './admission-workflow';
export { braidTriggerBuffer } from './trigger-buffer-workflow';

import type { GraphWorkflowInput, RunState } from '../src/graph/run-state';
import { graphWorkflow } from './graph-workflow';

/** The interpreter under the type `braidWarmup`: a new worker's warm-up runs (src/temporal/warmup.ts). */
export async function braidWarmup(args: GraphWorkflowInput): Promise<RunState> {
  return graphWorkflow(args);
}
