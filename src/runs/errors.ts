/**
 * The run domain's errors. A BraidError says what kind of thing went wrong
 * (not found, conflict, invalid input with the fields at fault, …) and a
 * sentence for people; the API answers each kind with its RFC 9457 problem
 * type and status (src/api/problem.ts), the CLI and the worker read the
 * kind. Also: how to read Temporal's errors (a run that exists already,
 * Temporal out of reach).
 */
import { isGrpcServiceError, ServiceError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

/** The kinds of error, each answered with its own problem type by the API. */
export type ErrorKind =
  | 'validation'
  | 'malformedJson'
  | 'badRequest'
  | 'unsupportedMediaType'
  | 'payloadTooLarge'
  | 'notFound'
  | 'methodNotAllowed'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'misdirected'
  | 'rateLimited'
  | 'unavailable'
  | 'databaseUnavailable'
  | 'notReady'
  | 'tooLargeForTemporal'
  | 'runFailed'
  | 'internal';

/** A field (as a JSONPath such as `$.workflow.nodes[2].data.url`) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
  /** A code node's syntax error: where in its code (1-based). */
  line?: number;
  column?: number;
}

export class BraidError extends Error {
  override readonly name = 'BraidError';
  constructor(
    readonly kind: ErrorKind,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
  }
}

/** gRPC status codes used here (see grpc/status.proto). */
export const GrpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;

const UNAVAILABLE_CODES = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED]);

/** The gRPC status code of an error or of one of its causes. */
export function grpcCode(err: unknown): number | undefined {
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/** Whether an error means Temporal could not be reached. */
export function isTemporalUnavailable(err: unknown): boolean {
  const code = grpcCode(err);
  if (code !== undefined) return UNAVAILABLE_CODES.has(code);
  if (err instanceof ServiceError) return true;
  const msg = err instanceof Error ? err.message : '';
  return /ECONNREFUSED|failed to connect|Connection dropped|UNAVAILABLE|No connection established/i.test(msg);
}

/** What an error and its causes say: messages and gRPC status details (the details of a refused Update-with-Start name their cause). */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof Error) parts.push(e.message);
    const metadata = isGrpcServiceError(e) ? e.metadata : undefined;
    if (typeof metadata?.get === 'function') for (const v of metadata.get('grpc-status-details-bin')) parts.push(Buffer.from(v).toString('latin1'));
  }
  return parts.join('\n');
}

/**
 * Whether Temporal refused a call for now, not for good: too many requests or
 * in-flight updates (RESOURCE_EXHAUSTED, except a message over the size
 * limit), or an update that cannot be taken while the workflow's task is
 * failing (it is retried: a worker just restarted, or a busy one).
 */
export function isTemporalBusy(err: unknown): boolean {
  const code = grpcCode(err);
  if (code === GrpcStatus.ABORTED) return true;
  if (code === GrpcStatus.RESOURCE_EXHAUSTED) return !isOverGrpcSizeLimit(err);
  return code === GrpcStatus.FAILED_PRECONDITION && /Workflow Task in failed state|WorkflowNotReadyFailure/.test(errorText(err));
}

/** Whether Temporal refused a message over gRPC's size limit (RESOURCE_EXHAUSTED for good: sending it again fails again). */
export function isOverGrpcSizeLimit(err: unknown): boolean {
  return grpcCode(err) === GrpcStatus.RESOURCE_EXHAUSTED && /message larger than max|size exceeds|exceeds limit/i.test(errorText(err));
}

/** A start refused because a run with that id exists: 409 with the run's links. Thrown by the run store's one start. */
export class RunExistsError extends BraidError {
  constructor(
    readonly runId: string,
    links: { self: string; temporalUi: string },
  ) {
    super('conflict', `a run with id "${runId}" already exists`, { links });
  }
}

/** A start refused because a run with that id exists (RunExistsError, or Temporal's WorkflowExecutionAlreadyStartedError). */
export function isAlreadyStarted(err: unknown): boolean {
  return err instanceof RunExistsError || err instanceof WorkflowExecutionAlreadyStartedError;
}
