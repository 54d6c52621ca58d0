/** `settings.onFailure` checked where a definition comes in: the error workflow it names must be saved. */
import type { WorkflowRepository } from '../store/workflow-repository';
import { onFailureOf } from './run-store';
import { validationError } from './validation';

/** 422 at `<prefix>.settings.onFailure.workflow` when the named workflow is not saved (a workflow may name itself). */
export async function assertErrorWorkflow(repository: WorkflowRepository, definition: unknown, prefix = '$', self?: string): Promise<void> {
  const name = onFailureOf(definition);
  if (name === undefined || name === self || (await repository.get(name))) return;
  throw validationError([{ path: `${prefix}.settings.onFailure.workflow`, message: `no saved workflow "${name}": save the error workflow first` }]);
}
