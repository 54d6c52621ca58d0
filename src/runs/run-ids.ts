/** Run ids Braid makes up: a slug of the workflow name plus something unique. */
import { createHash, randomUUID } from 'node:crypto';
import { idInProject, nameSlug } from '../graph/project-ids';

export { nameSlug };

/** A fresh run id for a run of `name`: `<slug>-<uuid>`. */
export function newRunId(name: string): string {
  return `${nameSlug(name)}-${randomUUID()}`;
}

/**
 * The id of a workflow that serves one key value of a workflow (an admission
 * or a buffer workflow): `<prefix>-<slug>-<hash>` in the project, the key (and
 * what tells its kind apart) only as a SHA-256, since keys are anyone's data.
 */
export function keyedWorkflowId(project: string, prefix: string, workflow: string, kind: string, key: string): string {
  const hash = createHash('sha256').update(`${workflow}\n${kind}\n${key}`).digest('hex').slice(0, 32);
  return idInProject(project, `${prefix}-${nameSlug(workflow)}-${hash}`);
}
