/** Braid's tables, as Kysely sees them. Times are ISO 8601 text in UTC on both backends. */
export interface WorkflowsTable {
  /** The saved workflow's name (path segment of /v1/workflows/:name). */
  name: string;
  /** Content hash of the version that runs, webhooks and schedules use. */
  latest_version: string;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersionsTable {
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

export interface Database {
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  counted_runs: CountedRunsTable;
}
