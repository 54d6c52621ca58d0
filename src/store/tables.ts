/** Braid's tables, as Kysely sees them. Times are ISO 8601 text in UTC on both backends. */
export interface WorkflowsTable {
  /** The project it belongs to (src/store/projects.ts). */
  project: string;
  /** The saved workflow's name (path segment of /v1/workflows/:name). */
  name: string;
  /** Content hash of the version that runs, webhooks and schedules use. */
  latest_version: string;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersionsTable {
  project: string;
  workflow_name: string;
  version: string;
  /** The definition as saved, JSON text. */
  definition: string;
  /** Comma-separated trigger kinds of this version (manual, webhook, schedule). */
  trigger_kinds: string;
  created_at: string;
}

/** Finished runs counted in /metrics by some API replica (src/store/counted-runs.ts). */
export interface CountedRunsTable {
  run_id: string;
  counted_at: string;
}

/** Each node's own time (runMs) in a saved workflow's succeeded runs, for the start order's estimates (src/store/node-durations.ts). */
export interface NodeDurationsTable {
  workflow_name: string;
  run_id: string;
  node_id: string;
  run_ms: number;
  /** When the run finished (ISO): the newest 20 runs count. */
  finished_at: string;
}

/** A cached node output (src/store/node-cache.ts). */
export interface NodeCacheTable {
  /** sha256 of the node type and its evaluated data (or its `cache.key`). */
  cache_key: string;
  /** The output, as JSON. */
  output: string;
  /** The run that computed it. */
  run_id: string;
  stored_at: string;
  expires_at: string;
}

export interface PageSessionsTable {
  /** sha256 (hex) of the session cookie's value: the value itself is never stored. */
  id_hash: string;
  expires_at: string;
  /** Who signed in (`api-token`, `oidc:<subject>`); null in rows made before it was kept. */
  principal: string | null;
}

export interface UsedSignaturesTable {
  /** sha256 (hex) of a webhook signature's replay key. */
  key_hash: string;
  /** Unix seconds it was first seen. */
  seen_at: number;
}

/** The audit log (src/store/audit-log.ts): append-only, each row chained to the one before by hash (src/audit/chain.ts). */
export interface AuditLogTable {
  /** 1, 2, 3, …: the entry's place in the chain. */
  id: number;
  at: string;
  principal: string;
  project: string;
  action: string;
  target: string;
  request_id: string | null;
  prev_hash: string | null;
  hash: string;
}

/** API keys (src/store/keys.ts): the secret is never stored, only its sha256. */
export interface ApiKeysTable {
  /** The key's id: its principal is `key:<id>`. */
  id: string;
  name: string;
  secret_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

/** Who holds which role in which project (keys as `key:<id>`, people as `oidc:<subject>`). */
export interface MembersTable {
  project: string;
  principal: string;
  role: string;
}

/** Credentials (src/store/credentials.ts): the secret fields sealed with AES-256-GCM, never in clear. */
export interface CredentialsTable {
  project: string;
  name: string;
  type: string;
  iv: string;
  ciphertext: string;
  tag: string;
  /** JSON array of hosts (`host` or `host:port`). */
  allowed_hosts: string;
  /** 1, then one more at each rotation (a worker's OAuth2 token cache keys on it). */
  version: number;
  created_at: string;
  rotated_at: string | null;
  last_used_at: string | null;
}

export interface ProjectsTable {
  name: string;
  created_by: string;
  created_at: string;
}

export interface Database {
  projects: ProjectsTable;
  project_workflows: WorkflowsTable;
  project_workflow_versions: WorkflowVersionsTable;
  counted_runs: CountedRunsTable;
  node_durations: NodeDurationsTable;
  node_cache: NodeCacheTable;
  page_sessions: PageSessionsTable;
  used_signatures: UsedSignaturesTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeysTable;
  members: MembersTable;
  credentials: CredentialsTable;
}
