/** Run ids Braid makes up: a slug of the workflow name plus something unique. */
import { randomUUID } from 'node:crypto';

/** Lower-case letters, digits and dashes, at most 40 characters. */
export function nameSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run'
  );
}

/** A fresh run id for a run of `name`: `<slug>-<uuid>`. */
export function newRunId(name: string): string {
  return `${nameSlug(name)}-${randomUUID()}`;
}
