import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { WorkflowRepository } from '../store/workflow-repository';
import type { RunStore } from './run-store';

export interface AppEnv {
  Variables: { requestId: string };
}

/** Readiness of the parts the API depends on. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AppDeps {
  client: Client;
  config: Pick<
    Config,
    'namespace' | 'taskQueue' | 'temporalUiUrl' | 'apiToken' | 'maxBodyBytes' | 'rateLimitPerMinute'
  >;
  logger: Logger;
  /** Overrides for tests. */
  runStore?: RunStore;
  readiness?: () => Promise<ReadinessReport>;
  /** Serves Temporal's codec protocol at /codec when set (payload encryption is on). */
  codec?: PayloadCodec;
  /** Saved workflows' storage; an in-memory SQLite database when unset (tests). */
  repository?: WorkflowRepository;
  /** The value of env `BRAID_SECRET_<name>` (webhook signatures); process.env when unset. */
  secret?: (name: string) => string | undefined;
  /** How often the SSE stream polls run state (ms). */
  watchIntervalMs?: number;
}
