import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { NodeCatalog } from '../graph/node-type';
import type { NodeTypeRegistry } from '../node-types';
import type { NodeDurations } from '../store/node-durations';
import type { CountedRuns } from '../store/counted-runs';
import type { UsedSignatures } from './webhook-verify';
import type { SessionStore } from '../ui/session';
import type { WorkflowRepository } from '../store/workflow-repository';
import type { Assets } from '../ui/assets';
import type { AuditLog } from '../store/audit-log';
import type { KeyStore } from '../store/keys';
import type { ProjectStore } from '../store/projects';
import type { Role } from '../auth/roles';
import type { CredentialStore } from '../store/credentials';
import type { RunStore } from '../runs/run-store';
import type { OriginStats } from '../../activities/host-limiter';

import type { ValidateWorkflow } from '../runs/validation';

export type { ValidateWorkflow } from '../runs/validation';

export interface AppEnv {
  /** `nodeTypes`: every node type the API knows (built-in and custom), what `validate` checks against. */
  /** `principal`: who the request authenticated as (the API token's holder today); unset when it did not. */
  /** `admin`: the principal administers Braid (every permission everywhere); `project`: the project the request is in (authorize.ts). */
  Variables: {
    requestId: string;
    validate: ValidateWorkflow;
    nodeTypes: NodeCatalog;
    principal?: string;
    admin?: boolean;
    project?: string;
    /** A key's roles, read with the key (middleware.ts); people's are read by authorize.ts. */
    roles?: Record<string, Role>;
  };
}

/** Readiness of the parts the API depends on. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AppDeps {
  client: Client;
  config: Pick<Config, 'namespace' | 'taskQueue' | 'temporalUiUrl' | 'apiToken' | 'maxBodyBytes' | 'rateLimitPerMinute'> &
    Partial<
      Pick<
        Config,
        | 'flowTaskQueue'
        | 'otelTraceUrl'
        | 'activityAllowlist'
        | 'publicUrl'
        | 'trustedProxies'
        | 'sseStreamsPerPrincipal'
        | 'temporalUiUpstream'
        | 'admins'
        | 'oidc'
      >
    >;
  /** Where page sessions live (Braid's database); memory when unset. */
  sessions?: SessionStore;
  /** Webhook signatures used before (Braid's database, shared by replicas); memory when unset. */
  usedSignatures?: UsedSignatures;
  logger: Logger;
  /** Overrides for tests. */
  runStore?: RunStore;
  readiness?: () => Promise<ReadinessReport>;
  /** Serves Temporal's codec protocol at /codec when set (payload encryption is on). */
  codec?: PayloadCodec;
  /** The credentials store (Braid's database); in memory with a random key when unset (tests). */
  credentials?: CredentialStore;
  /** API keys and project roles (Braid's database); an in-memory SQLite database when unset (tests). */
  keys?: KeyStore;
  /** Projects (Braid's database); an in-memory SQLite database when unset (tests). */
  projects?: ProjectStore;
  /** The audit log (Braid's database); an in-memory SQLite database when unset (tests). */
  auditLog?: AuditLog;
  /** Saved workflows' storage; an in-memory SQLite database when unset (tests). */
  repository?: WorkflowRepository;
  /** Finished runs counted in /metrics, shared by replicas; also checked by /readyz. Counted here alone when unset. */
  countedRuns?: CountedRuns;
  /** The worker's per-origin limiter, as it last reported (`npm start`): served on /metrics. */
  hostLimits?: () => readonly OriginStats[];
  /** Saved workflows' node durations, learned for the start order; not learned when unset. */
  nodeDurations?: NodeDurations;
  /** Custom node types (BRAID_NODE_TYPES): validated here, run by the worker. */
  nodeTypes?: NodeTypeRegistry;
  /** The value of env `BRAID_WEBHOOK_SECRET_<name>` (webhook signatures); this process's environment when unset. */
  secret?: (name: string) => string | undefined;
  /** The pages' scripts and styles; built from src/ui/client when unset. */
  assets?: Assets;
  /** The client's data converter claim-checks large payloads (see src/codec/claim-check.ts). */
  claimCheck?: boolean;
  /** How often the SSE stream polls run state (ms). */
  watchIntervalMs?: number;
  /** Start error workflows (`settings.onFailure`) for runs that fail: look every `intervalMs` until `signal` aborts. Off when unset. */
}
