/**
 * The project of the run an activity works for: the prefix of its workflow's
 * id (src/graph/project-ids.ts). Braid's API sets that id when it starts a
 * run, and a child's id keeps its parent's prefix, so nothing a graph or its
 * data says can move an activity into another project.
 */
import { Context } from '@temporalio/activity';
import { projectOfId } from '../src/graph/project-ids';

export function runProject(): string {
  const workflow = Context.current().info.workflowExecution;
  // Braid starts every activity from a run; one that is not has no project, and so no credentials or cache.
  if (!workflow) throw new Error('this activity was not started by a run, so it belongs to no project');
  return projectOfId(workflow.workflowId);
}
