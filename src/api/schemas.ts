/**
 * The API's request and response schemas. They validate requests, generate the
 * OpenAPI document, and tests parse responses with them.
 */
export { RUN_ID_PATTERN } from '../runs/run-id-pattern';
export * from './schemas/runs';
export * from './schemas/workflows';
export * from './schemas/answers';
