/** Run ids Braid makes up: a slug of the workflow name plus something unique. */
import { randomUUID } from 'node:crypto';
import { nameSlug } from '../graph/project-ids';

export { nameSlug };

/** A fresh run id for a run of `name`: `<slug>-<uuid>`. */
export function newRunId(name: string): string {
  return `${nameSlug(name)}-${randomUUID()}`;
}
