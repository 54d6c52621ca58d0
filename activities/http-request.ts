/**
 * The `http` node's activity: one HTTP request, with the node's retry semantics
 * expressed as failure types (4xx other than 408/429 are not retried; 5xx, 408,
 * 429 and network errors are), a response size limit, heartbeats while waiting,
 * and cancellation that aborts the request in flight.
 */
import type { ClientSpan } from './http-trace';
import { traceRequest } from './http-trace';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { runProject } from './run-project';
import type { Dispatcher } from 'undici';
import { FAILURE_TYPES } from '../src/graph/failures';
import { ForbiddenAddressError } from './guarded-agent';
import type { Info } from '@temporalio/activity';
import type { HostLimiter, Outcome, Permit, WaitOrder } from './host-limiter';
import { DeferredStart } from './deferred-start';
import { CREDENTIAL_HEADERS, fetchFollowing } from './redirects';
import type { SecretResolver } from './secrets';
import type { SecretScope } from '../src/graph/secrets';

export interface HttpRequestInput {
  nodeId: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  /** Strings are sent as text; anything else as JSON. */
  body?: unknown;
  /** Per-attempt request timeout in ms. */
  timeoutMs?: number;
  /** A lower response limit than the worker's (local nodes use one). */
  maxResponseBytes?: number;
  failOnHttpError: boolean;
  /**
   * The longest remaining path from the node to the end of its graph (in ms
   * of estimates, or nodes when none is known): among requests of one run
   * waiting for the same host, the largest goes first. Absent: arrival order.
   */
  remaining?: number;
  /** Which secret placeholders this request may resolve (src/graph/secrets.ts SecretScope); absent: none. */
  secretNonce?: string;
  legacySecrets?: true;
  /** A credential of the run's project (`data.auth.credential`), applied by credentials.ts; only its name is in history. */
  credential?: string;
  /** Headers credentials.ts added: like a secret's, never carried past a redirect to another origin. */
  sensitiveHeaders?: string[];
  /** A traced run's node span (W3C trace context): the request's client span is its child and sends it on. */
  traceparent?: string;
  tracestate?: string;
}

export interface HttpResponseOutput {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, else text. */
  body: unknown;
}

export interface HttpDeps {
  dispatcher: Dispatcher;
  maxResponseBytes: number;
  /** Resolves secret placeholders in request fields (see `secrets.ts`). */
  resolveSecrets?: SecretResolver;
  /** How often to heartbeat while a request is in flight. */
  heartbeatIntervalMs?: number;
  /** Concurrency per target origin; every request takes a slot of it (none: no limit). */
  hostLimiter?: HostLimiter;
}

const BODYLESS = new Set(['GET', 'HEAD']);

function causeChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

/** TLS failures that say the peer's certificate or protocol is wrong, not that the network hiccuped. */
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TLS_PROTOCOL_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);

/**
 * Why a failed request can never succeed, or undefined when a retry might
 * help (refused, reset, DNS, timeouts stay retryable).
 */
function unrecoverable(chain: unknown[]): string | undefined {
  for (const e of chain) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    if (message === 'bad port') return "the port is on fetch's list of blocked ports";
    if (typeof code !== 'string') continue;
    if (TLS_VERIFY_CODES.has(code)) return `the server's TLS certificate does not verify (${code})`;
    if (TLS_PROTOCOL_CODES.has(code)) return `the server does not speak TLS on this port, or not a version we accept (${code})`;
  }
  return undefined;
}

function buildUrl(url: string, query: HttpRequestInput['query']): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.append(k, String(v));
  return u.toString();
}

async function readLimited(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw tooLarge(limit, declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number, declared?: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `response body is larger than the limit of ${limit} bytes${declared === undefined ? '' : ` (content-length ${declared})`}; raise HTTP_MAX_RESPONSE_BYTES to allow it`,
    FAILURE_TYPES.responseTooLarge,
    { limit, declared },
  );
}

function parseBody(buf: Buffer, contentType: string | null): unknown {
  const text = buf.toString('utf8');
  if (contentType && /^application\/([\w.+-]*\+)?json\b/i.test(contentType) && text.length > 0) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 3_600_000);
  return undefined;
}

/**
 * How long a request may wait for its host's limit: the attempt's
 * start-to-close timeout less what the request itself may take (its own
 * `timeout`, else half the attempt), less a second for the answer to travel.
 */
export function waitBudgetMs(info: { startToCloseTimeoutMs: number; startedTimestampMs?: number }, requestTimeoutMs: number | undefined): number {
  const total = info.startToCloseTimeoutMs;
  if (!Number.isFinite(total) || total <= 0) return Infinity;
  return Math.max(0, total - (requestTimeoutMs ?? total / 2) - 1_000);
}

/** Where this request waits among others for its host (host-limiter.ts `WaitOrder`). */
function waitOrder(info: Info, input: HttpRequestInput): WaitOrder {
  const run = info.workflowExecution;
  return {
    ...(info.priority?.priorityKey ? { priorityKey: info.priority.priorityKey } : {}),
    // A run's batch children (`<runId>/batch-<n>`) wait with the run itself: one group.
    ...(run ? { group: run.workflowId.split('/')[0]! } : {}),
    ...(input.remaining === undefined ? {} : { remaining: input.remaining }),
  };
}

async function acquireBeforeDeadline(
  limiter: HostLimiter | undefined,
  url: string,
  signal: AbortSignal,
  budgetMs: number,
  order: WaitOrder,
): Promise<Permit | undefined> {
  if (!limiter) return undefined;
  if (!Number.isFinite(budgetMs)) return limiter.acquire(url, signal, order);
  const giveUp = new AbortController();
  const onAbort = () => giveUp.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => giveUp.abort(new DeferredStart(`waited ${Math.round(budgetMs)} ms for ${url}'s host limit`)), budgetMs);
  try {
    return await limiter.acquire(url, giveUp.signal, order);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** The request body as sent: a string as is, anything else as JSON (with its content type unless one is set); none for GET and HEAD. */
function encodeBody(method: string, body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || BODYLESS.has(method)) return undefined;
  if (typeof body === 'string') return body;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

export function createHttpRequest(deps: HttpDeps) {
  return async function httpRequest(input: HttpRequestInput, waited: (ms: number) => void = () => undefined): Promise<HttpResponseOutput> {
    const ctx = Context.current();
    // Secrets of the run's project only (SECRET_GRANTS): its project is in its workflow's id.
    const request = deps.resolveSecrets ? deps.resolveSecrets(input, scopeOf(input), runProject()) : input;
    const method = request.method.toUpperCase();
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    // Headers that carry a secret (or credentials) go to the origin the node named, never past a redirect to another.
    const secretHeaders = new Set(
      Object.keys(headers).filter((h) => headers[h] !== input.headers?.[h] || CREDENTIAL_HEADERS.has(h.toLowerCase()) || input.sensitiveHeaders?.includes(h)),
    );
    const body = encodeBody(method, request.body, headers);

    const controller = new AbortController();
    const onCancel = () => controller.abort(ctx.cancellationSignal.reason);
    ctx.cancellationSignal.addEventListener('abort', onCancel);
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Heartbeat only while a request is slow: a short request costs no extra RPC.
    // Each beat carries the earlier attempts' record on (activities/retry-record.ts).
    const beat = setInterval(() => ctx.heartbeat(ctx.info.heartbeatDetails), deps.heartbeatIntervalMs ?? 1_000);

    let outcome: Outcome = { kind: 'other' };
    let permit: Awaited<ReturnType<HostLimiter['acquire']>> | undefined;
    let span: ClientSpan | undefined;
    let answered: number | undefined;
    let failure: string | undefined;
    try {
      const url = buildUrl(request.url, request.query);
      // Waiting for the origin's limit heartbeats (above), ends with cancellation,
      // and gives up (sending nothing) while the attempt still has time for the request.
      permit = await acquireBeforeDeadline(deps.hostLimiter, url, controller.signal, waitBudgetMs(ctx.info, request.timeoutMs), waitOrder(ctx.info, input));
      if (permit) waited(permit.waitedMs);
      // The request's own timeout starts when it is sent: the wait above is not part of it.
      if (request.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new Error('request timed out'));
        }, request.timeoutMs);
      }
      span = traceRequest(input, method, url, headers);
      const sentAt = performance.now();
      const response = await fetchFollowing(url, { method, headers, body, signal: controller.signal, dispatcher: deps.dispatcher }, secretHeaders);
      const limit = Math.min(deps.maxResponseBytes, input.maxResponseBytes ?? Infinity);
      const buf = await readLimited(response as unknown as Response, limit);
      answered = response.status;
      const output: HttpResponseOutput = {
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        body: parseBody(buf, response.headers.get('content-type')),
      };
      outcome =
        response.status === 429 || response.status === 503
          ? { kind: 'overload', status: response.status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
          : { kind: 'ok', latencyMs: performance.now() - sentAt };
      if (request.failOnHttpError && (response.status < 200 || response.status > 299)) {
        throw httpStatusFailure(method, request.url, output, response.headers.get('retry-after'));
      }
      return output;
    } catch (err) {
      failure = err instanceof ApplicationFailure ? (err.type ?? 'ApplicationFailure') : err instanceof Error ? err.name : 'Error';
      if (err instanceof ApplicationFailure || err instanceof DeferredStart) throw err;
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      const chain = causeChain(err);
      const forbidden = chain.find((e): e is ForbiddenAddressError => e instanceof ForbiddenAddressError);
      if (forbidden) {
        throw ApplicationFailure.nonRetryable(forbidden.message, FAILURE_TYPES.forbiddenAddress, {
          host: forbidden.host,
          address: forbidden.address,
        });
      }
      if (timedOut) {
        outcome = { kind: 'overload' };
        throw ApplicationFailure.retryable(`${method} ${request.url} timed out after ${request.timeoutMs} ms`, FAILURE_TYPES.httpTimeout);
      }
      const detail = chain
        .map((e) => (e instanceof Error ? e.message : String(e)))
        .filter((m, i, all) => all.indexOf(m) === i)
        .join(': ');
      const why = unrecoverable(chain);
      if (why) throw ApplicationFailure.nonRetryable(`${method} ${request.url} cannot succeed: ${why} (${detail})`, FAILURE_TYPES.httpUnrecoverable);
      throw ApplicationFailure.retryable(`${method} ${request.url} failed: ${detail}`, FAILURE_TYPES.httpNetworkError);
    } finally {
      span?.end({
        ...(answered === undefined ? {} : { status: answered }),
        ...(failure === undefined || answered !== undefined ? {} : { errorType: failure }),
      });
      permit?.release(outcome);
      clearInterval(beat);
      if (timer) clearTimeout(timer);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
  };
}

function scopeOf(input: HttpRequestInput): SecretScope | undefined {
  if (typeof input.secretNonce === 'string') return { secretNonce: input.secretNonce };
  return input.legacySecrets === true ? { legacySecrets: true } : undefined;
}

function httpStatusFailure(method: string, url: string, output: HttpResponseOutput, retryAfter: string | null): ApplicationFailure {
  const { status } = output;
  const retryable = status >= 500 || status === 408 || status === 429 || status < 200;
  const snippet = typeof output.body === 'string' ? output.body.slice(0, 200) : JSON.stringify(output.body ?? null).slice(0, 200);
  const message = `${method} ${url} answered HTTP ${status}`;
  const details = { status, body: snippet };
  if (!retryable) return ApplicationFailure.nonRetryable(message, FAILURE_TYPES.httpClientError, details);
  return ApplicationFailure.create({
    message,
    type: FAILURE_TYPES.httpServerError,
    details: [details],
    nextRetryDelay: status === 429 || status === 503 ? retryAfterMs(retryAfter) : undefined,
  });
}
