/**
 * Errors as RFC 9457 problem details. Every error response of the API has this
 * shape; `toProblem` is the one mapper from anything thrown (a BraidError of
 * the run domain, Temporal's and the database's errors, Hono's) to a status.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { HTTPException } from 'hono/http-exception';
import type { ErrorKind, FieldError } from '../runs/errors';
import { BraidError, grpcCode, GrpcStatus, isAlreadyStarted, isOverGrpcSizeLimit, isTemporalBusy, isTemporalUnavailable } from '../runs/errors';
import { DatabaseUnavailableError } from '../store/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem's `errors[]` entry: a field (JSONPath) and what is wrong with it. */
export type ProblemFieldError = FieldError;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
  requestId?: string;
  [extra: string]: unknown;
}

/** Problem types: the `type` URI (relative) of each kind of error (src/runs/errors.ts names the kinds). */
export const PROBLEM_TYPES = {
  validation: { type: '/problems/validation', title: 'Invalid request', status: 422 },
  malformedJson: { type: '/problems/malformed-json', title: 'Malformed JSON', status: 400 },
  badRequest: { type: '/problems/bad-request', title: 'Bad request', status: 400 },
  unsupportedMediaType: { type: '/problems/unsupported-media-type', title: 'Unsupported media type', status: 415 },
  payloadTooLarge: { type: '/problems/payload-too-large', title: 'Payload too large', status: 413 },
  notFound: { type: '/problems/not-found', title: 'Not found', status: 404 },
  methodNotAllowed: { type: '/problems/method-not-allowed', title: 'Method not allowed', status: 405 },
  conflict: { type: '/problems/conflict', title: 'Conflict', status: 409 },
  unauthorized: { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 },
  forbidden: { type: '/problems/forbidden', title: 'Forbidden', status: 403 },
  misdirected: { type: '/problems/misdirected', title: 'Misdirected request', status: 421 },
  rateLimited: { type: '/problems/rate-limited', title: 'Too many requests', status: 429 },
  unavailable: { type: '/problems/temporal-unavailable', title: 'Temporal unavailable', status: 503 },
  databaseUnavailable: { type: '/problems/database-unavailable', title: 'Database unavailable', status: 503 },
  notReady: { type: '/problems/not-ready', title: 'Not ready', status: 503 },
  tooLargeForTemporal: { type: '/problems/too-large-for-temporal', title: 'Too large for Temporal', status: 503 },
  runFailed: { type: '/problems/run-failed', title: 'The run did not succeed', status: 500 },
  internal: { type: '/problems/internal', title: 'Internal server error', status: 500 },
} as const satisfies Record<ErrorKind, { type: string; title: string; status: number }>;
export type ProblemKind = ErrorKind;

export interface MappedProblem {
  problem: Omit<Problem, 'requestId'>;
  headers?: Record<string, string>;
  /** True for errors that are bugs (500). */
  unexpected: boolean;
}

export function toProblem(err: unknown): MappedProblem {
  if (err instanceof BraidError) {
    const { headers, ...extra } = err.extra;
    const t = PROBLEM_TYPES[err.kind];
    // Extra members never replace the standard ones (a numeric status is what the response is sent with).
    return { problem: { ...extra, ...t, detail: err.detail }, headers, unexpected: false };
  }
  if (err instanceof WorkflowNotFoundError || grpcCode(err) === GrpcStatus.NOT_FOUND) {
    return { problem: { ...PROBLEM_TYPES.notFound, detail: 'no run with this id' }, unexpected: false };
  }
  if (isAlreadyStarted(err)) {
    return { problem: { ...PROBLEM_TYPES.conflict, detail: 'a run with this id already exists' }, unexpected: false };
  }
  if (err instanceof DatabaseUnavailableError) {
    return {
      problem: { ...PROBLEM_TYPES.databaseUnavailable, detail: "Braid's database cannot be reached; try again shortly" },
      headers: { 'retry-after': '5' },
      unexpected: false,
    };
  }
  if (isTemporalUnavailable(err)) {
    return {
      problem: { ...PROBLEM_TYPES.unavailable, detail: 'Temporal cannot be reached; try again shortly' },
      headers: { 'retry-after': '5' },
      unexpected: false,
    };
  }
  if (isTemporalBusy(err)) {
    return {
      problem: { ...PROBLEM_TYPES.unavailable, detail: 'Temporal cannot take this request now (the workflow is busy or recovering); try again shortly' },
      headers: { 'retry-after': '1' },
      unexpected: false,
    };
  }
  if (isOverGrpcSizeLimit(err)) {
    return {
      problem: {
        ...PROBLEM_TYPES.tooLargeForTemporal,
        detail: "Temporal's answer is larger than a gRPC message may be; payloads of new runs stay small when the claim check is on (PAYLOAD_STORE)",
      },
      unexpected: false,
    };
  }
  if (err instanceof HTTPException) {
    const kind: ProblemKind = err.status === 413 ? 'payloadTooLarge' : err.status === 401 ? 'unauthorized' : err.status === 404 ? 'notFound' : 'badRequest';
    const detail = /json/i.test(err.message) ? 'request body is not valid JSON' : err.message || PROBLEM_TYPES[kind].title;
    return {
      problem: { ...(kind === 'badRequest' && /json/i.test(err.message) ? PROBLEM_TYPES.malformedJson : PROBLEM_TYPES[kind]), detail },
      unexpected: false,
    };
  }
  return {
    problem: { ...PROBLEM_TYPES.internal, detail: 'an unexpected error occurred; it has been logged with this request id' },
    unexpected: true,
  };
}
