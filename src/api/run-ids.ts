/** Run ids Braid makes up: a slug of the workflow name plus something unique. */
import { randomUUID } from 'node:crypto';

/** What a run id may be: the API refuses others (schemas.ts), and a redrive's id must stay one (redrive.ts). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Lower-case letters, digits and dashes, at most 40 characters. */
export function nameSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
}

/** A fresh run id for a run of `name`: `<slug>-<uuid>`. */
export function newRunId(name: string): string {
  return `${nameSlug(name)}-${randomUUID()}`;
}
