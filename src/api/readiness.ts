/** `/readyz`: Temporal answers and a worker polls Braid's task queue. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ReadinessReport } from './types';

export function temporalReadiness(client: Client, namespace: string, taskQueue: string, timeoutMs = 2_000) {
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
      const pollers = res.pollers?.length ?? 0;
      checks.worker = pollers > 0 ? { ok: true, detail: `${pollers} poller(s)` } : { ok: false, detail: `no worker polls task queue "${taskQueue}"` };
    } catch (err) {
      checks.worker = { ok: false, detail: (err as Error).message };
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}
