/** The workflow bundle's entry: the interpreter, its queries, and the batch child it starts for wide ready sets. */
export { changesQuery, graphWorkflow, stateQuery } from './graph-workflow';
export { nodeBatchWorkflow } from './node-batch-workflow';
