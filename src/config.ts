/**
 * Configuration from environment variables, parsed by one schema. Nothing here
 * runs at import time: entry points call `loadConfig()` and report its error.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseHostLimits } from '../activities/host-limiter';
import { parseActivityAllowlist } from './graph/activity-allowlist';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
/** A comma-separated setting's entries, trimmed, empty ones dropped. */
const commaList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export const envSchema = z
  .object({
    PORT: port(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    TEMPORAL_ADDRESS: optionalString,
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    /** Base URL of the Temporal Web UI for links; derived from TEMPORAL_UI_PORT when unset. */
    TEMPORAL_UI_URL: optionalString,
    /** The Web UI the API serves at /temporal behind sign-in (npm run cluster, docker-compose); unset: not served. */
    TEMPORAL_UI_UPSTREAM: optionalString.refine(
      (v) => v === undefined || /^https?:\/\/[^/]+$/.test(v),
      'must be an http(s) origin such as http://temporal-ui:8080',
    ),
    /** Mutual TLS to the Temporal frontend (the names the Temporal CLI reads): PEM files. */
    TEMPORAL_TLS_CA: optionalString,
    TEMPORAL_TLS_CERT: optionalString,
    TEMPORAL_TLS_KEY: optionalString,
    /** The name the frontend's certificate is checked against, when not the address's host. */
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TASK_QUEUE: z.string().min(1).default('braid'),
    DATA_DIR: z.string().min(1).default('./.data'),
    /** PostgreSQL for saved workflows (postgres://user:pass@host:5432/db); SQLite in DATA_DIR when unset. */
    DATABASE_URL: optionalString.refine((u) => u === undefined || /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    API_TOKEN: optionalString,
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    HTTP_ALLOWLIST: optionalString,
    /** The address people reach the API by (https://braid.example.com): its host is served besides loopback names. */
    PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), 'must be an http(s) URL'),
    /** A trace's address in the tracing UI, `{traceId}` in it (http://localhost:16686/trace/{traceId}): runs link to their trace. */
    OTEL_TRACE_URL: optionalString.refine(
      (v) => v === undefined || (/^https?:\/\/[^/]+/.test(v) && v.includes('{traceId}')),
      'must be an http(s) URL with {traceId} in it',
    ),
    /** Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs), for rate limits by client address. */
    TRUSTED_PROXIES: optionalString.refine(
      (v) => commaList(v).every((e) => ipaddr.isValid(e) || ipaddr.isValidCIDR(e)),
      'must be addresses or CIDRs, comma-separated',
    ),
    /** People sign in to the pages with OpenID Connect at this issuer (with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and PUBLIC_URL). */
    OIDC_ISSUER: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), 'must be an http(s) URL'),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    /** Principals that administer Braid besides the bootstrap token (`key:<id>`, `oidc:<subject>`), comma-separated. */
    BRAID_ADMINS: optionalString.refine(
      (v) => commaList(v).every((p) => /^(key|oidc):[^\s,]{1,200}$/.test(p)),
      'must be principals such as key:<id>, comma-separated',
    ),
    /** Event streams (SSE) one principal may hold open at once. */
    SSE_STREAMS_PER_PRINCIPAL: z.coerce.number().int().min(1).default(100),
    /** What `activity` nodes may call: `taskQueue:activityType`, comma-separated, `*` on either side; empty: nothing. */
    ACTIVITY_ALLOWLIST: optionalString.superRefine((v, ctx) => {
      try {
        parseActivityAllowlist(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
    HTTP_MAX_RESPONSE_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(1024 * 1024),
    CODE_SANDBOXES: z.coerce.number().int().min(1).max(64).optional(),
    /** Hard caps on concurrent requests per target: `api.example.com=4,10.0.0.5:8080=16` (activities/host-limiter.ts). */
    HTTP_HOST_LIMITS: optionalString.superRefine((v, ctx) => {
      try {
        parseHostLimits(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
    /** `off`: no adaptive per-host concurrency, only HTTP_HOST_LIMITS. */
    HTTP_ADAPTIVE_CONCURRENCY: z.enum(['on', 'off']).default('on'),
    BRAID_ENCRYPTION_KEY: optionalString,
    /** Serve the worker's Temporal SDK metrics (Prometheus) on this port, at HOST. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    /** Activities a worker runs at once (Braid's default 2,000: http nodes mostly wait on the network). */
    WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).max(100_000).optional(),
    /** A module of custom node types (src/node-types.ts), loaded by the API and the worker. */
    BRAID_NODE_TYPES: optionalString,
    BRAID_ENCRYPTION_KEY_ID: z.string().min(1).default('default'),
    /** Older payload keys still accepted for decryption, `id:base64,…`. */
    BRAID_DECRYPTION_KEYS: optionalString,
    /** Where payloads over PAYLOAD_THRESHOLD_BYTES go (claim check): `file:///path`, `s3://bucket/prefix` or `off`; `$DATA_DIR/payloads` when unset. */
    PAYLOAD_STORE: optionalString.refine(
      (v) => v === undefined || v === 'off' || /^file:\/\/\/.+/.test(v) || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v),
      'must be off, file:///absolute/path or s3://bucket[/prefix]',
    ),
    PAYLOAD_THRESHOLD_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(2_000_000)
      .default(128 * 1024),
    /** An S3-compatible endpoint (MinIO, …) for an s3:// PAYLOAD_STORE; AWS S3 when unset. */
    S3_ENDPOINT: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+\/?$/.test(v), 'must be http(s)://host[:port]'),
    AWS_REGION: optionalString,
    AWS_ACCESS_KEY_ID: optionalString,
    AWS_SECRET_ACCESS_KEY: optionalString,
    /** `npm start`: restarts in a row of a part (server, worker) before it gives up and exits non-zero. */
    RESTART_LIMIT: z.coerce.number().int().min(0).default(5),
    /** `npm start`: the first restart's delay (ms); each further one in a row doubles it, up to 30 s. */
    RESTART_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  })
  .superRefine((e, ctx) => {
    if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
      const missing = e.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together' });
    }
    if (e.OIDC_ISSUER !== undefined) {
      for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'PUBLIC_URL'] as const) {
        if (e[name] === undefined)
          ctx.addIssue({ code: 'custom', path: [name], message: `OIDC_ISSUER needs ${name} (the redirect URI is PUBLIC_URL/ui/oidc/callback)` });
      }
    }
  });

/** People's sign-in with OpenID Connect (authorization code with PKCE). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The address people reach Braid by: the redirect URI is `<publicUrl>/ui/oidc/callback`. */
  publicUrl: string;
}

export type Env = z.output<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  /** Set when connecting to an existing cluster; otherwise the embedded server is used. */
  temporalAddress?: string;
  namespace: string;
  temporalPort: number;
  temporalUiPort: number;
  temporalUiUrl: string;
  /** TEMPORAL_UI_UPSTREAM: the Web UI served at /temporal behind sign-in. */
  temporalUiUpstream?: string;
  /** TLS to the Temporal frontend (TEMPORAL_TLS_*); undefined: plaintext (the embedded dev server). */
  temporalTls?: TemporalTlsFiles;
  taskQueue: string;
  /**
   * Where admission and trigger-buffer workflows run (`<TASK_QUEUE>-flow`):
   * the worker polls it with a worker of its own, so a flood of runs to
   * replay (after the other worker died) never holds up a key's admission.
   */
  flowTaskQueue: string;
  dataDir: string;
  /** PostgreSQL URL; saved workflows live in SQLite (`braid.db` in dataDir) when unset. */
  databaseUrl?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  apiToken?: string;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  httpAllowlist: string[];
  /** ACTIVITY_ALLOWLIST (src/graph/workflow-policy.ts). */
  activityAllowlist: string[];
  publicUrl?: string;
  /** OTEL_TRACE_URL: a run's `links.trace` (src/telemetry/tracing.ts). */
  otelTraceUrl?: string;
  trustedProxies: string[];
  sseStreamsPerPrincipal: number;
  /** BRAID_ADMINS: principals that administer Braid besides the bootstrap token. */
  admins: string[];
  /** OIDC_*: people's sign-in to the pages (src/ui/oidc.ts); unset without OIDC_ISSUER. */
  oidc?: OidcSettings;
  /** Hard caps on concurrent requests by `host` or `host:port` (HTTP_HOST_LIMITS). */
  httpHostLimits: Map<string, number>;
  /** Adaptive per-origin concurrency for http nodes (HTTP_ADAPTIVE_CONCURRENCY). */
  httpAdaptiveConcurrency: boolean;
  httpMaxResponseBytes: number;
  codeSandboxes?: number; // most sandbox threads for code nodes (src/code/sandbox-pool.ts), default 16
  encryptionKey?: string;
  /** BRAID_NODE_TYPES: a module of custom node types. */
  nodeTypesPath?: string;
  /** The claim check's store (see src/codec/claim-check.ts); undefined: off. */
  payloadStore?:
    { kind: 'file'; dir: string } | { kind: 's3'; url: string; endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string };
  payloadThresholdBytes: number;
  /** RESTART_LIMIT: how often `npm start` restarts a failing part in a row before giving up. */
  restartLimit: number;
  /** RESTART_BACKOFF_MS: the first restart's delay. */
  restartBackoffMs: number;
  /** WORKER_METRICS_PORT: where the worker serves the SDK's metrics. */
  workerMetricsPort?: number;
  /** WORKER_MAX_ACTIVITIES: a worker's concurrent activities (default WORKER_TUNING's). */
  workerMaxActivities?: number;
  encryptionKeyId: string;
  /** BRAID_DECRYPTION_KEYS: older keys still accepted for decryption. */
  decryptionKeys?: string;
}

/** PEM files for TLS to the Temporal frontend; `cert` and `key` together make it mutual. */
export interface TemporalTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalUiUrl: (e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`).replace(/\/+$/, ''),
    temporalUiUpstream: e.TEMPORAL_UI_UPSTREAM,
    temporalTls:
      e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_SERVER_NAME
        ? { ca: e.TEMPORAL_TLS_CA, cert: e.TEMPORAL_TLS_CERT, key: e.TEMPORAL_TLS_KEY, serverName: e.TEMPORAL_TLS_SERVER_NAME }
        : undefined,
    taskQueue: e.TASK_QUEUE,
    flowTaskQueue: `${e.TASK_QUEUE}-flow`,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    apiToken: e.API_TOKEN,
    maxBodyBytes: e.MAX_BODY_BYTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    activityAllowlist: parseActivityAllowlist(e.ACTIVITY_ALLOWLIST),
    publicUrl: e.PUBLIC_URL,
    otelTraceUrl: e.OTEL_TRACE_URL,
    trustedProxies: commaList(e.TRUSTED_PROXIES),
    sseStreamsPerPrincipal: e.SSE_STREAMS_PER_PRINCIPAL,
    admins: commaList(e.BRAID_ADMINS),
    ...(e.OIDC_ISSUER ? { oidc: { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET!, publicUrl: e.PUBLIC_URL! } } : {}),
    httpAllowlist: commaList(e.HTTP_ALLOWLIST),
    httpMaxResponseBytes: e.HTTP_MAX_RESPONSE_BYTES,
    ...(e.CODE_SANDBOXES === undefined ? {} : { codeSandboxes: e.CODE_SANDBOXES }),
    httpHostLimits: parseHostLimits(e.HTTP_HOST_LIMITS),
    httpAdaptiveConcurrency: e.HTTP_ADAPTIVE_CONCURRENCY === 'on',
    encryptionKey: e.BRAID_ENCRYPTION_KEY,
    nodeTypesPath: e.BRAID_NODE_TYPES,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    workerMaxActivities: e.WORKER_MAX_ACTIVITIES,
    restartLimit: e.RESTART_LIMIT,
    restartBackoffMs: e.RESTART_BACKOFF_MS,
    payloadStore:
      e.PAYLOAD_STORE === 'off'
        ? undefined
        : e.PAYLOAD_STORE?.startsWith('s3://')
          ? {
              kind: 's3',
              url: e.PAYLOAD_STORE,
              endpoint: e.S3_ENDPOINT,
              region: e.AWS_REGION,
              accessKeyId: e.AWS_ACCESS_KEY_ID,
              secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
            }
          : { kind: 'file', dir: e.PAYLOAD_STORE ? fileURLToPath(e.PAYLOAD_STORE) : resolve(e.DATA_DIR, 'payloads') },
    payloadThresholdBytes: e.PAYLOAD_THRESHOLD_BYTES,
    encryptionKeyId: e.BRAID_ENCRYPTION_KEY_ID,
    ...(e.BRAID_DECRYPTION_KEYS ? { decryptionKeys: e.BRAID_DECRYPTION_KEYS } : {}),
  };
}

/**
 * The ports of what runs Braid on its own hosts: the API, the worker's
 * metrics, the Temporal frontend and Web UI. `http` nodes reach them only
 * through an HTTP_ALLOWLIST entry that names the port (activities/address-policy.ts).
 */
export function protectedPortsOf(config: Config): number[] {
  const ports = new Set<number>([config.port, config.temporalPort, config.temporalUiPort]);
  if (config.workerMetricsPort !== undefined) ports.add(config.workerMetricsPort);
  const frontend = /:(\d{1,5})$/.exec(temporalAddressOf(config));
  if (frontend) ports.add(Number(frontend[1]));
  try {
    // Only a port of its own: 80 and 443 are every web server's.
    const ui = new URL(config.temporalUiUrl);
    if (ui.port) ports.add(Number(ui.port));
  } catch {
    // not a URL: nothing to add
  }
  return [...ports];
}

/** The address the worker and API connect to: the configured cluster or the embedded server. */
export function temporalAddressOf(config: Config): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
}

/** The environment as Braid was started with it: the one place outside loadConfig that reads it. */
type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The environment a child process of Braid's gets (the worker, the dev
 * server, the CLI's API, the cluster's parts): this process's own, so that
 * what the operator set reaches every part.
 */
export function processEnvironment(): Environment {
  return process.env;
}

/** The key of webhook triggers with `"secret": "<name>"`: `BRAID_WEBHOOK_SECRET_<name>` (never readable by workflows). */
export function webhookKey(name: string, env: Environment = process.env): string | undefined {
  return env[`BRAID_WEBHOOK_SECRET_${name}`];
}

/** Where tools are looked up for the processes Braid starts (`PATH`). */
export function toolPath(env: Environment = process.env): string | undefined {
  return env.PATH;
}
