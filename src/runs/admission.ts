/**
 * Taking a run in past its workflow's limits (`settings.concurrency`,
 * `settings.rateLimit`; src/graph/admission.ts) with Update-with-Start on the
 * key's admission workflow: one round trip starts the entity if it is not
 * running and asks it, so admission lives in Temporal, not in any process of
 * Braid's. The run store asks before it starts a run (the caller learns at
 * once whether it runs, waits or is refused); a run started another way (a
 * schedule) asks from its own workflow through the `admitRun` activity.
 * Both ask by run id, so asking twice is harmless.
 */
import type { Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { Admission, AdmissionPolicy } from '../graph/admission';
import { ADMISSION_WORKFLOW_TYPE, ADMIT_UPDATE, admissionPolicies, evaluateKey, policyField, POSITION_QUERY, RELEASE_SIGNAL } from '../graph/admission';
import type { GraphSettings } from '../graph/schema';
import { BraidError } from './errors';
import { keyedWorkflowId } from './run-ids';

/** The entity's arguments (workflows/admission-workflow.ts). */
export interface AdmissionEntityInput {
  project: string;
  workflow: string;
  key: string;
  policy: AdmissionPolicy;
  /** Continue as new past this many events (default 5,000; tests set fewer). */
  maxEvents?: number;
}

/** The admit update's argument and answer. */
export interface AdmitRequest {
  runId: string;
  policy: AdmissionPolicy;
}
export type AdmitAnswer = Pick<Admission, 'verdict' | 'position' | 'holder' | 'first'>;

/** The key's admission workflow id: the project's prefix, the kind, the workflow, a hash of the key (keys are anyone's data). */
export function admissionEntityId(project: string, workflow: string, kind: string, key: string): string {
  return keyedWorkflowId(project, `braid-admit-${kind}`, workflow, kind, key);
}

export function createAdmitter(opts: { client: Client; taskQueue: string }) {
  const { client, taskQueue } = opts;

  /** Asks one limit's entity to take the run in; throws a validation error when the key cannot be read from the input. */
  async function admitOne(runId: string, project: string, workflow: string, policy: AdmissionPolicy, input: unknown): Promise<Admission> {
    const evaluated = await evaluateKey(policy, input);
    if (!evaluated.ok) {
      const path = `$.workflow.settings.${policyField(policy.kind)}.key`;
      throw new BraidError('validation', `the ${policyField(policy.kind)} key cannot be read from this input: ${evaluated.why}`, {
        errors: [{ path, message: evaluated.why }],
      });
    }
    const { key } = evaluated;
    const entity = admissionEntityId(project, workflow, policy.kind, key);
    const answer = await client.workflow.executeUpdateWithStart<Workflow, AdmitAnswer, [AdmitRequest]>(ADMIT_UPDATE, {
      args: [{ runId, policy }],
      startWorkflowOperation: new WithStartWorkflowOperation(ADMISSION_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: entity,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ project, workflow, key, policy } satisfies AdmissionEntityInput],
        staticSummary: `Braid admission: ${policy.kind} of "${workflow}"`,
      }),
    });
    const outcome = answer.verdict === 'started' ? 'started' : policy.kind === 'rate' ? 'rate_limited' : answer.verdict === 'refused' ? 'skipped' : 'queued';
    return { kind: policy.kind, entity, key, ...answer, outcome };
  }

  /**
   * Every limit of the settings in turn, stopping at the first that does not
   * start the run at once; [] when the workflow has none.
   */
  async function admit(runId: string, project: string, workflow: string, settings: GraphSettings | undefined, input: unknown): Promise<Admission[]> {
    const out: Admission[] = [];
    for (const policy of admissionPolicies(settings)) {
      const admission = await admitOne(runId, project, workflow, policy, input);
      out.push(admission);
      if (admission.verdict !== 'started') break;
    }
    return out;
  }

  /** A queued run's place in its entity's queue (1 is next), or undefined when it no longer waits there. */
  async function position(entity: string, runId: string): Promise<number | undefined> {
    try {
      return await client.workflow.getHandle(entity).query<number | undefined, [string]>(POSITION_QUERY, runId);
    } catch {
      return undefined;
    }
  }

  /** Gives back what a start took that did not happen: the slots and places this call was first to take. */
  async function releaseTaken(runId: string, admissions: readonly Admission[]): Promise<void> {
    for (const a of admissions) {
      if (!a.first || a.verdict === 'refused') continue;
      await client.workflow
        .getHandle(a.entity)
        .signal(RELEASE_SIGNAL, { runId })
        .catch(() => undefined);
    }
  }

  return { admit, admitOne, position, releaseTaken };
}

export type Admitter = ReturnType<typeof createAdmitter>;

/**
 * A run its limits refused (`onLimit: "skip"`): 409 for the concurrency
 * limit (with the key and the run that holds it), 429 for the rate limit.
 */
export function admissionRefused(a: Admission, links: (runId: string) => { self: string }): BraidError {
  const admission = { kind: a.kind, key: a.key, ...(a.holder ? { heldBy: a.holder, links: { heldBy: links(a.holder).self } } : {}) };
  if (a.kind === 'rate')
    return new BraidError('rateLimited', `the workflow's rate limit for key ${JSON.stringify(a.key)} is reached; the run was not started`, { admission });
  return new BraidError('conflict', `the workflow's concurrency limit for key ${JSON.stringify(a.key)} is reached; the run was not started`, { admission });
}
