/**
 * Listing runs through Temporal's visibility store: the list filter as a
 * visibility query, and each execution it answers as a run summary. Pure.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { RunStatus } from '../graph/run-state';
import {
  NAME_SEARCH_ATTRIBUTE,
  PAUSED_SEARCH_ATTRIBUTE,
  PROJECT_SEARCH_ATTRIBUTE,
  QUEUED_SEARCH_ATTRIBUTE,
  REDRIVE_OF_SEARCH_ATTRIBUTE,
  TEST_SEARCH_ATTRIBUTE,
  VERSION_SEARCH_ATTRIBUTE,
  WORKFLOW_TYPE,
} from '../graph/run-state';
import { DEFAULT_PROJECT } from '../graph/project-ids';
import { DEFAULT_NAME } from '../graph/schema';
import type { RunSummary } from './run-view';
import { STATUS_BY_TEMPORAL, timestampToIso, VISIBILITY_STATUS } from './run-view';

export interface RunFilter {
  /** Only this project's runs (every project's when unset: metrics, the error-workflow loop). */
  project?: string;
  status?: RunStatus;
  workflow?: string;
  version?: string;
  /** ISO time: only runs closed after it. */
  closedAfter?: string;
  /** ISO times: only runs started after / before them. */
  startedAfter?: string;
  startedBefore?: string;
  /** Only the redrives of this run. */
  redriveOf?: string;
  /** Test runs (pinned nodes): left out (`false`, the default), only them (`true`), or both (`any`). */
  test?: 'true' | 'false' | 'any';
}

/** The visibility query for graph runs that match `filter`; values are quoted as JSON strings. */
export function visibilityQuery(filter: RunFilter): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  // Runs from before projects have no project attribute: they are `default`'s.
  if (filter.project === DEFAULT_PROJECT) clauses.push(`(${PROJECT_SEARCH_ATTRIBUTE} = '${DEFAULT_PROJECT}' OR ${PROJECT_SEARCH_ATTRIBUTE} IS NULL)`);
  else if (filter.project !== undefined) clauses.push(`${PROJECT_SEARCH_ATTRIBUTE} = ${JSON.stringify(filter.project)}`);
  if (filter.closedAfter) clauses.push(`CloseTime > ${JSON.stringify(filter.closedAfter)}`);
  if (filter.status) clauses.push(`ExecutionStatus = '${VISIBILITY_STATUS[filter.status]}'`);
  // A paused run says paused even while queued.
  if (filter.status === 'paused') clauses.push(`${PAUSED_SEARCH_ATTRIBUTE} = 'true'`);
  else if (filter.status === 'queued') clauses.push(`${QUEUED_SEARCH_ATTRIBUTE} = 'true'`, `${PAUSED_SEARCH_ATTRIBUTE} IS NULL`);
  else if (filter.status === 'running') clauses.push(`${PAUSED_SEARCH_ATTRIBUTE} IS NULL`, `${QUEUED_SEARCH_ATTRIBUTE} IS NULL`);
  if (filter.workflow) clauses.push(`${NAME_SEARCH_ATTRIBUTE} = ${JSON.stringify(filter.workflow)}`);
  if (filter.version) clauses.push(`${VERSION_SEARCH_ATTRIBUTE} = ${JSON.stringify(filter.version)}`);
  if (filter.startedAfter) clauses.push(`StartTime > ${JSON.stringify(filter.startedAfter)}`);
  if (filter.startedBefore) clauses.push(`StartTime < ${JSON.stringify(filter.startedBefore)}`);
  if (filter.redriveOf) clauses.push(`${REDRIVE_OF_SEARCH_ATTRIBUTE} = ${JSON.stringify(filter.redriveOf)}`);
  if (filter.test === 'true') clauses.push(`${TEST_SEARCH_ATTRIBUTE} = 'true'`);
  else if (filter.test !== 'any') clauses.push(`${TEST_SEARCH_ATTRIBUTE} IS NULL`);
  return clauses.join(' AND ');
}

function decoded(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/** One execution of a list answer as a run summary: the name from its search attribute, else its memo. */
export function summaryOf(e: temporal.api.workflow.v1.IWorkflowExecutionInfo): RunSummary {
  const statusName = temporal.api.enums.v1.WorkflowExecutionStatus[e.status ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '') ?? '';
  const name = decoded(e.searchAttributes?.indexedFields?.[NAME_SEARCH_ATTRIBUTE]) ?? decoded(e.memo?.fields?.name);
  const version = decoded(e.searchAttributes?.indexedFields?.[VERSION_SEARCH_ATTRIBUTE]);
  const redriveOf = decoded(e.searchAttributes?.indexedFields?.[REDRIVE_OF_SEARCH_ATTRIBUTE]);
  return {
    runId: e.execution?.workflowId ?? '',
    name: typeof name === 'string' ? name : Array.isArray(name) ? String(name[0]) : DEFAULT_NAME,
    version: typeof version === 'string' ? version : null,
    status: liveStatus(statusName, (key) => decoded(e.searchAttributes?.indexedFields?.[key]) === 'true') ?? STATUS_BY_TEMPORAL[statusName] ?? 'failed',
    startedAt: timestampToIso(e.startTime),
    finishedAt: timestampToIso(e.closeTime),
    redriveOf: typeof redriveOf === 'string' ? redriveOf : null,
    test: decoded(e.searchAttributes?.indexedFields?.[TEST_SEARCH_ATTRIBUTE]) === 'true',
  };
}

/** A running execution's status as its search attributes say (paused over queued); undefined when it is not running. */
export function liveStatus(temporalStatus: string, flag: (key: string) => boolean): RunStatus | undefined {
  if (temporalStatus !== 'RUNNING') return undefined;
  if (flag(PAUSED_SEARCH_ATTRIBUTE)) return 'paused';
  return flag(QUEUED_SEARCH_ATTRIBUTE) ? 'queued' : 'running';
}
