/**
 * Braid's activities: the nodes that do I/O. Built from their dependencies so
 * tests can build the same functions around fakes; `src/worker.ts` is the only
 * place that builds the real ones.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { createAddressPolicy } from './address-policy';
import { DeferredStart } from './deferred-start';
import { createGuardedAgent } from './guarded-agent';
import { createHttpRequest } from './http-request';
import type { HostLimiter } from './host-limiter';
import { createHostLimiter } from './host-limiter';
import { randomBytes } from 'node:crypto';
import { createSecretMasker, createSecretResolver } from './secrets';
import { createNodeCacheActivities } from './node-cache';
import { masked } from './masked';
import type { CredentialSource } from './credentials';
import { withCredentials } from './credentials';
import type { RecordAttempt } from './retry-record';
import { earlierFailures, leaveForNextAttempt } from './retry-record';
export { masked } from './masked';
import type { BulkTarget } from './bulk';
import { createBulkActivities } from './bulk';
import type { AdmissionDeps } from './admission';
import type { SandboxPool } from '../src/code/sandbox-pool';
import { createCodeActivities } from './code';
import { createAdmissionActivities } from './admission';
import type { NodeCache } from '../src/store/node-cache';

export interface ActivityDeps {
  /** Dispatcher for outgoing HTTP; defaults to the SSRF-guarded agent. */
  dispatcher?: Dispatcher;
  /** Hosts and CIDRs that `http` nodes may reach although private (HTTP_ALLOWLIST). */
  httpAllowlist?: readonly string[];
  /** Ports of what runs Braid (its API, metrics, the Temporal frontend and UI): reached only through an allowlist entry that names the port. */
  protectedPorts?: readonly number[];
  /** Largest response body an `http` node accepts (HTTP_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Environment to read `BRAID_SECRET_*` from. */
  env?: Record<string, string | undefined>;
  heartbeatIntervalMs?: number;
  /** Per-origin concurrency for `http` nodes, shared by all runs of this worker (a fresh one by default). */
  hostLimiter?: HostLimiter;
  /** The credentials store (`data.auth` of http nodes); without one, a node naming a credential fails. */
  credentials?: CredentialSource;
  /** Node result cache in Braid's database (nodes with `cache`); without one every lookup misses. */
  nodeCache?: NodeCache;
  /** What bulk operations redrive and cancel runs with (src/worker.ts builds it from the API's code); without it they refuse. */
  bulk?: BulkTarget;
  /** What admission and buffered triggers use (src/worker.ts builds it); without it their activities refuse. */
  admission?: AdmissionDeps;
  /** Leaves a failing attempt's error type for the next (activities/retry-record.ts); without it, the SDK's heartbeat only. */
  recordAttempt?: RecordAttempt;
  /** Where code nodes run (src/code/sandbox-pool.ts); the process's shared pool by default. */
  codePool?: SandboxPool;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * What every activity returns: its output, the attempt that produced it, and
 * that attempt's timing measured by the activity itself.
 */
export interface Attempted<T> extends AttemptTiming {
  output: T;
  /**
   * True when the attempt gave up waiting for its host's limit before its
   * start-to-close deadline and sent nothing: the workflow starts it again
   * (workflows/until-sent.ts), so waiting never fails a node.
   */
  deferred?: true;
}

export interface AttemptTiming {
  attempt: number;
  /** Scheduled → started of this attempt (the server's schedule time to the worker's start). */
  queuedMs: number;
  /** The attempt's own work, measured around it. */
  runMs: number;
  /** Error types of the attempts before this one, oldest first (activities/retry-record.ts); absent on a first attempt. */
  retries?: string[];
}

/**
 * Reports the attempt number and timing with the result, and in the first
 * detail of a failure, so node state can show `attempts`, `queuedMs` and
 * `runMs` without reading history.
 */
export function withAttempt<I, O>(
  fn: (input: I, waited: (ms: number) => void) => Promise<O>,
  recordAttempt?: RecordAttempt,
): (input: I) => Promise<Attempted<O>> {
  return async (input) => {
    const started = Date.now();
    const { attempt, currentAttemptScheduledTimestampMs, heartbeatDetails } = Context.current().info;
    const retries = earlierFailures(heartbeatDetails, attempt);
    // Time spent waiting for a host's limit (host-limiter.ts) counts as queued, not run.
    let waitedMs = 0;
    const waited = (ms: number) => {
      waitedMs += ms;
    };
    const queuedMs = Math.max(0, started - currentAttemptScheduledTimestampMs);
    const timing = () => ({
      attempt,
      queuedMs: queuedMs + Math.round(waitedMs),
      runMs: Math.max(0, Date.now() - started - Math.round(waitedMs)),
      ...(retries.length ? { retries } : {}),
    });
    try {
      const output = await fn(input, waited);
      return { output, ...timing() };
    } catch (err) {
      if (err instanceof DeferredStart) return { output: undefined as O, deferred: true, ...timing() };
      if (!(err instanceof ApplicationFailure)) throw err;
      if (!err.nonRetryable) await leaveForNextAttempt({ retries: [...retries, err.type ?? 'ApplicationFailure'] }, recordAttempt);
      const [first, ...rest] = err.details ?? [];
      const detail = first !== null && typeof first === 'object' ? { ...first, ...timing() } : { value: first, ...timing() };
      throw ApplicationFailure.create({
        message: err.message,
        type: err.type ?? undefined,
        nonRetryable: err.nonRetryable ?? undefined,
        details: [detail, ...rest],
        nextRetryDelay: err.nextRetryDelay,
        cause: err.cause,
      });
    }
  };
}

/**
 * The activities, keyed by the node type they run: the activity type in
 * Temporal's history and Web UI is the node type (`http`).
 */
export function createActivities(deps: ActivityDeps = {}) {
  const dispatcher = deps.dispatcher ?? createGuardedAgent(createAddressPolicy(deps.httpAllowlist ?? [], deps.protectedPorts ?? []));
  const httpRequest = createHttpRequest({
    dispatcher,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    resolveSecrets: createSecretResolver(deps.env ?? {}),
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
    hostLimiter: deps.hostLimiter ?? createHostLimiter(),
  });
  const masker = createSecretMasker(deps.env ?? {});
  return {
    http: withAttempt(masked(masker, withCredentials(httpRequest, deps.credentials, dispatcher)), deps.recordAttempt),
    /** A run's secret nonce (src/graph/secrets.ts), drawn once by a local activity so it is in its history only. */
    secretNonce: async (): Promise<string> => randomBytes(16).toString('hex'),
    ...createNodeCacheActivities(deps.nodeCache),
    ...createBulkActivities(deps.bulk),
    ...createAdmissionActivities(deps.admission),
    code: withAttempt(createCodeActivities(deps.codePool, deps.heartbeatIntervalMs).code),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { HttpRequestInput, HttpResponseOutput } from './http-request';
export type { CacheLookupOutput, CacheStoreInput } from './node-cache';
