/** What a run id may be: the API refuses others (schemas.ts), and a redrive's id must stay one (redrive.ts). No imports: the pages' types read it too. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
