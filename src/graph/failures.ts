/**
 * Failure kinds: the `type` of every ApplicationFailure Braid raises, and the
 * `error.type` a node or run reports. One list so API, workflow and activities agree.
 */
export const FAILURE_TYPES = {
  /** The definition did not validate (API and workflow). */
  invalidDefinition: 'InvalidDefinition',
  /** A node's data, after its expressions were evaluated, is not valid for its type. */
  invalidNodeData: 'InvalidNodeData',
  /** An expression failed to evaluate, returned the wrong type, or ran past its budget. */
  expression: 'ExpressionError',
  /** HTTP 4xx other than 408/429: not retried. */
  httpClientError: 'HttpClientError',
  /** HTTP 5xx, 408, 429: retried. */
  httpServerError: 'HttpServerError',
  /** Connection refused, reset, DNS failure: retried. */
  httpNetworkError: 'HttpNetworkError',
  /**
   * A request no retry can cure: a port fetch refuses to use (e.g. 9), a TLS
   * certificate that does not verify, TLS spoken to a plain-HTTP port: not retried.
   */
  httpUnrecoverable: 'HttpUnrecoverable',
  /** The request took longer than the node's `data.timeout`: retried. */
  httpTimeout: 'HttpTimeout',
  /** The target address is not allowed (SSRF protection): not retried. */
  forbiddenAddress: 'ForbiddenAddress',
  /** The response body is larger than the configured limit: not retried. */
  responseTooLarge: 'ResponseTooLarge',
  /** The run failed because one or more nodes failed. */
  runFailed: 'RunFailed',
  /** A run's limits could not take it in: its input has no key for them (settings.concurrency / rateLimit). */
  admissionRefused: 'AdmissionRefused',
  /** The run's deadline (`settings.timeout`) passed: what ran was canceled. */
  runTimedOut: 'RunTimedOut',
  /** An approval or wait node's timeout passed and it has no `timeout` edge to take. */
  waitTimeout: 'WaitTimeout',
  /** A forEach node's item run failed (or more of them than tolerated). */
  forEachItemFailed: 'ForEachItemFailed',
  /** The run's history came close to Temporal's limits (events or bytes); it failed before the server would terminate it. */
  historyLimit: 'HistoryLimit',
  /** A subworkflow node's child run failed. */
  subworkflowFailed: 'SubworkflowFailed',
  /** A subworkflow node refers to a saved workflow the run was not given. */
  unknownWorkflowRef: 'UnknownWorkflowRef',
  /** An http node's credential may not go to the request's host (its allowedHosts): nothing was sent. */
  credentialHostRefused: 'CredentialHostRefused',
  /** An OAuth2 credential's token endpoint gave no token (retried). */
  credentialToken: 'CredentialTokenError',
} as const;
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** Failure types that retrying cannot fix. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FAILURE_TYPES.invalidDefinition,
  FAILURE_TYPES.invalidNodeData,
  FAILURE_TYPES.expression,
  FAILURE_TYPES.httpClientError,
  FAILURE_TYPES.forbiddenAddress,
  FAILURE_TYPES.responseTooLarge,
  FAILURE_TYPES.credentialHostRefused,
];
