/** Braid's search attributes on its runs (all Keyword), by name. No imports: the workflow sandbox reads them. */
/** Keyword search attribute holding the definition's (or saved workflow's) name. */
export const NAME_SEARCH_ATTRIBUTE = 'BraidWorkflow';
/** Keyword search attribute holding the saved workflow version a run was started from. */
export const VERSION_SEARCH_ATTRIBUTE = 'BraidVersion';
/** Keyword search attribute holding the run a redrive started from (POST /v1/runs/:id/redrive). */
export const REDRIVE_OF_SEARCH_ATTRIBUTE = 'BraidRedriveOf';
/** Keyword search attribute set to "true" on test runs (runs with pinned nodes). */
export const TEST_SEARCH_ATTRIBUTE = 'BraidTest';
/** `true` while a run is paused; absent otherwise. */
export const PAUSED_SEARCH_ATTRIBUTE = 'BraidPaused';
/** `true` while a run waits for its limits (settings.concurrency, settings.rateLimit); absent otherwise. */
export const QUEUED_SEARCH_ATTRIBUTE = 'BraidQueued';
/** The run's project (src/graph/project-ids.ts); runs started before projects have none and belong to `default`. */
export const PROJECT_SEARCH_ATTRIBUTE = 'BraidProject';
/** Braid's search attributes, all Keyword; registered on the server at start-up. */
export const SEARCH_ATTRIBUTES = [
  NAME_SEARCH_ATTRIBUTE,
  VERSION_SEARCH_ATTRIBUTE,
  REDRIVE_OF_SEARCH_ATTRIBUTE,
  TEST_SEARCH_ATTRIBUTE,
  PROJECT_SEARCH_ATTRIBUTE,
  PAUSED_SEARCH_ATTRIBUTE,
  QUEUED_SEARCH_ATTRIBUTE,
] as const;
