/** `subworkflow`: runs another graph as a child run (executor: workflows/nodes/subworkflow.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { uiKeys, workflowRefSchema } from '../schema';

export const subworkflowSpec: NodeTypeSpec = {
  type: 'subworkflow',
  label: 'Subworkflow',
  description: 'Runs another graph (inline, or a saved workflow by name) as a child run and outputs its output.',
  category: 'compose',
  data: buildOnce('src/graph/nodes/subworkflow#subworkflowSpec.data', () =>
    z
      .object({
        /** An inline definition (validated as a workflow of its own). */
        workflow: z.record(z.string(), z.unknown()).optional(),
        /** A saved workflow: `name` (its latest version when the run starts) or `name@version`. */
        ref: workflowRefSchema.optional(),
        input: z.unknown().optional(),
        ...uiKeys,
      })
      .strict()
      .refine((d) => (d.workflow === undefined) !== (d.ref === undefined), 'needs exactly one of "workflow" or "ref"'),
  ),
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
  inlineGraph: { field: 'workflow', ownRun: true },
};
