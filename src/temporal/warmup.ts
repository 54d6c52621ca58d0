/**
 * Warm start. A fresh worker's first run pays for its first workflow sandbox,
 * module initialisation, JIT and connections (measured: ~850 ms for a run that
 * later takes ~450 ms). So a new worker runs a small graph through the
 * interpreter's code (as workflow type `braidWarmup`, which the run list never
 * shows) before the API calls the service ready: `/readyz` looks for a
 * finished warm-up run of at least one polling worker's identity.
 */
import type { Client } from '@temporalio/client';
import { WARMUP_WORKFLOW_TYPE } from '../graph/run-state';

export const WARMUP_ID_PREFIX = 'braid-warmup-';
export const warmupWorkflowId = (identity: string) => `${WARMUP_ID_PREFIX}${identity}`;

/** A graph that touches validation, the scheduler, expressions and a join. */
export const WARMUP_DEFINITION = {
  name: 'braid-warmup',
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'a', type: 'set', data: { value: '{% $input.n + 1 %}' } },
    { id: 'b', type: 'condition', data: { expression: '{% $input.n > 0 %}' } },
    { id: 'join', type: 'merge', data: { mode: 'any' } },
  ],
  edges: [
    { source: 'start', target: 'a' },
    { source: 'start', target: 'b' },
    { source: 'a', target: 'join' },
    { source: 'b', target: 'join', sourceHandle: 'true' },
  ],
};

/**
 * How a worker reads and writes payloads. An API must agree with it: a run
 * the API starts with the claim check, or encrypted, is unreadable to a
 * worker without it (its workflow tasks fail and the run never starts).
 */
export interface PayloadCodecs {
  claimCheck: boolean;
  encrypted: boolean;
}

/**
 * Runs the warm-up graph a few times on `taskQueue`; the last run keeps the
 * worker's warm-up id, and its memo says how the worker reads payloads
 * (`/readyz` compares that with the API's own).
 */
export async function warmUp(
  client: Client,
  taskQueue: string,
  identity: string,
  codecs: PayloadCodecs = { claimCheck: false, encrypted: false },
  rounds = 3,
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await client.workflow.execute(WARMUP_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: i === rounds - 1 ? warmupWorkflowId(identity) : `${warmupWorkflowId(identity)}-${i}`,
      args: [{ definition: WARMUP_DEFINITION, input: { n: i } }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      workflowExecutionTimeout: '1m',
      memo: { claimCheck: codecs.claimCheck, encrypted: codecs.encrypted },
    });
  }
}
