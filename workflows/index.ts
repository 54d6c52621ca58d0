/** The workflow bundle's entry: the interpreter and its query. */
export { graphWorkflow, stateQuery } from './graph-workflow';
