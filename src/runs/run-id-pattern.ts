/**
 * Run ids. A client may choose one (CHOSEN_RUN_ID_PATTERN); outside the
 * `default` project the run's id is then that id behind its project's
 * prefix (`acme~orders-42`, src/graph/project-ids.ts), which is what
 * RUN_ID_PATTERN takes. No imports: the pages' types read it too.
 */
export const CHOSEN_RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A run id the API gave out: an optional project prefix, then a chosen (or made up) id. */
export const RUN_ID_PATTERN = /^(?:[a-z][a-z0-9-]{0,29}~)?[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
