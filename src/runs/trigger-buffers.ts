/**
 * Delivering to a debounced or batched webhook trigger
 * (src/graph/trigger-buffer.ts): the delivery's key is read from its input,
 * and one Update-with-Start hands it to the key's buffer workflow
 * (workflows/trigger-buffer-workflow.ts), which answers the id of the run it
 * joined. The run starts when its window closes.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { evaluateKey } from '../graph/admission';
import { durationMs } from '../graph/duration';
import { idInProject } from '../graph/project-ids';
import type { WebhookRequest } from '../graph/run-state';
import { webhookInput } from '../graph/run-state';
import type { BufferPolicy, Delivery } from '../graph/trigger-buffer';
import { BUFFER_WORKFLOW_TYPE, DELIVER_UPDATE } from '../graph/trigger-buffer';
import type { TriggerSpec } from '../graph/triggers';
import { BraidError } from './errors';
import { keyedWorkflowId } from './run-ids';

/** A trigger's buffering, or undefined when it starts a run per delivery. */
export function bufferPolicy(trigger: TriggerSpec): (BufferPolicy & { key: string }) | undefined {
  if (trigger.debounce) {
    const { key, period, maxWait } = trigger.debounce;
    return { mode: 'debounce', key, periodMs: durationMs(period), ...(maxWait ? { maxWaitMs: durationMs(maxWait) } : {}) };
  }
  if (trigger.batch) {
    const { key, maxSize, timeout } = trigger.batch;
    return { mode: 'batch', key, periodMs: durationMs(timeout), maxSize };
  }
  return undefined;
}

/** The buffer workflow's id for a key value: project-prefixed, the key only as a hash. */
export function bufferWorkflowId(project: string, workflow: string, trigger: string, mode: BufferPolicy['mode'], key: string): string {
  return keyedWorkflowId(project, `braid-${mode}`, workflow, trigger, key);
}

export interface BufferedDelivery {
  project: string;
  workflow: string;
  version: string;
  trigger: TriggerSpec;
  body: unknown;
  request: WebhookRequest;
  deliveryKey?: string;
}

export function createTriggerBuffers(opts: { client: Client; taskQueue: string }) {
  /** Hands a delivery to its key's window; the (project-prefixed) id of the run it joined and how many deliveries it holds now. */
  async function deliver(d: BufferedDelivery): Promise<{ runId: string; deliveries: number; mode: BufferPolicy['mode'] }> {
    const { key: keyExpression, ...policy } = bufferPolicy(d.trigger)!;
    const field = `trigger ${d.trigger.id}'s ${policy.mode}.key`;
    const evaluated = await evaluateKey({ kind: 'concurrency', key: keyExpression, limit: 1, onLimit: 'queue' }, webhookInput(d.body, d.request));
    if (!evaluated.ok)
      throw new BraidError('validation', `the ${field} cannot be read from this delivery: ${evaluated.why}`, {
        errors: [{ path: '$', message: evaluated.why }],
      });
    const workflowId = bufferWorkflowId(d.project, d.workflow, d.trigger.id, policy.mode, evaluated.key);
    const delivery: Delivery & { policy: BufferPolicy } = {
      body: d.body,
      request: d.request,
      version: d.version,
      ...(d.deliveryKey === undefined ? {} : { deliveryKey: d.deliveryKey }),
      policy,
    };
    const joined = await opts.client.workflow.executeUpdateWithStart<Workflow, { runId: string; deliveries: number }, [typeof delivery]>(DELIVER_UPDATE, {
      args: [delivery],
      startWorkflowOperation: new WithStartWorkflowOperation(BUFFER_WORKFLOW_TYPE, {
        taskQueue: opts.taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ workflow: d.workflow, trigger: d.trigger.id, policy }],
        staticSummary: `Braid ${policy.mode} of "${d.workflow}" trigger ${d.trigger.id}`,
      }),
    });
    return { runId: idInProject(d.project, joined.runId), deliveries: joined.deliveries, mode: policy.mode };
  }
  return { deliver };
}

export type TriggerBuffers = ReturnType<typeof createTriggerBuffers>;
