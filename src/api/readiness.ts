/**
 * `/readyz`: Temporal answers, a warm worker polls Braid's task queue, that
 * worker reads payloads as this API writes them (claim check, encryption),
 * and Braid's database answers.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { PayloadCodecs } from '../temporal/warmup';
import { warmupWorkflowId } from '../temporal/warmup';
import type { ReadinessReport } from './types';

/** How a worker's payloads differ from the API's, in words; undefined when they agree or the worker did not say. */
export function codecMismatch(api: PayloadCodecs, memo: Record<string, unknown> | undefined): string | undefined {
  const problems: string[] = [];
  if (typeof memo?.claimCheck === 'boolean' && memo.claimCheck !== api.claimCheck) {
    problems.push(
      api.claimCheck
        ? 'this API stores large payloads outside history (PAYLOAD_STORE) and the worker does not read them'
        : 'the worker stores large payloads outside history (PAYLOAD_STORE) and this API does not read them',
    );
  }
  if (typeof memo?.encrypted === 'boolean' && memo.encrypted !== api.encrypted) {
    problems.push(
      api.encrypted
        ? 'this API encrypts payloads (BRAID_ENCRYPTION_KEY) and the worker cannot decrypt them'
        : 'the worker encrypts payloads (BRAID_ENCRYPTION_KEY) and this API cannot decrypt them',
    );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

export function temporalReadiness(client: Client, namespace: string, taskQueue: string, codecs?: PayloadCodecs, timeoutMs = 2_000) {
  /** Worker identities whose warm-up run finished (it stays finished), with its memo. */
  const warm = new Map<string, Record<string, unknown> | undefined>();
  return async (): Promise<ReadinessReport> => {
    const checks: ReadinessReport['checks'] = {};
    try {
      await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
      checks.temporal = { ok: true };
    } catch (err) {
      checks.temporal = { ok: false, detail: `unreachable: ${(err as Error).message}` };
      checks.worker = { ok: false, detail: 'unknown while Temporal is unreachable' };
      return { ready: false, checks };
    }
    try {
      const res = await client.withDeadline(Date.now() + timeoutMs, () =>
        client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      const pollers = res.pollers ?? [];
      checks.worker =
        pollers.length > 0 ? { ok: true, detail: `${pollers.length} poller(s)` } : { ok: false, detail: `no worker polls task queue "${taskQueue}"` };
      if (pollers.length > 0) {
        const identities = [...new Set(pollers.map((p) => p.identity ?? ''))];
        let warmOne = identities.find((id) => warm.has(id));
        for (const id of identities) {
          if (warmOne) break;
          const d = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(warmupWorkflowId(id)).describe()).catch(() => undefined);
          if (d?.status.name === 'COMPLETED') {
            warm.set(id, d.memo);
            warmOne = id;
          }
        }
        checks.warm = warmOne
          ? { ok: true, detail: `worker ${warmOne} has run its warm-up` }
          : { ok: false, detail: 'no polling worker has finished its warm-up run yet' };
        if (warmOne && codecs) {
          const mismatch = codecMismatch(codecs, warm.get(warmOne));
          checks.codecs = mismatch ? { ok: false, detail: `worker ${warmOne}: ${mismatch}` } : { ok: true };
        }
      }
    } catch (err) {
      checks.worker = { ok: false, detail: (err as Error).message };
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}

/**
 * Adds Braid's own database to a readiness check: a replica that cannot
 * reach it (saved workflows, webhooks, counted runs) answers 503, so a load
 * balancer takes it out.
 */
export function withDatabaseCheck(readiness: () => Promise<ReadinessReport>, ping: () => Promise<void>, timeoutMs = 2_000) {
  return async (): Promise<ReadinessReport> => {
    const [report, database] = await Promise.all([
      readiness(),
      Promise.race([
        ping().then(() => ({ ok: true }) as const),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
      ]).catch((err: unknown) => ({ ok: false, detail: `unreachable: ${(err as Error).message}` })),
    ]);
    const checks = { ...report.checks, database };
    return { ready: report.ready && database.ok, checks };
  };
}
