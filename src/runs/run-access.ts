/** What the run store's commands and reads share: the client, links, and descriptions that 404 or 409 as the API answers. */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../graph/run-state';
import { STATUS_BY_TEMPORAL } from './run-view';
import { BraidError } from './errors';

export interface RunStoreOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  /** Where admission workflows run (Config.flowTaskQueue); `taskQueue` when unset. */
  flowTaskQueue?: string;
  /** OTEL_TRACE_URL: a traced run links to its trace there. */
  traceUrl?: string;
  temporalUiUrl: string;
  /** How long to wait for a query answer before falling back. */
  queryTimeoutMs?: number;
  /** Custom node types (names) every run is started with. */
  nodeTypes?: string[];
  /** Large payloads are claim-checked by the client's and worker's data converter. */
  claimCheck?: boolean;
}

export function runAccess(opts: RunStoreOptions) {
  const { client, namespace } = opts;
  const links = (runId: string, temporalRunId?: string, traceId?: string) => ({
    self: `/v1/runs/${encodeURIComponent(runId)}`,
    temporalUi: `${opts.temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(runId)}${
      temporalRunId ? `/${temporalRunId}/history` : ''
    }`,
    ...(opts.traceUrl && traceId ? { trace: opts.traceUrl.replaceAll('{traceId}', traceId) } : {}),
  });
  async function describe(runId: string): Promise<WorkflowExecutionDescription> {
    const description = await client.workflow.getHandle(runId).describe();
    if (description.type !== WORKFLOW_TYPE) throw new BraidError('notFound', 'no run with this id');
    return description;
  }
  /** The run's description; 409 when it is no longer running. */
  async function running(runId: string): Promise<WorkflowExecutionDescription> {
    const d = await describe(runId);
    if (d.status.name !== 'RUNNING') {
      throw new BraidError('conflict', `run is already ${STATUS_BY_TEMPORAL[d.status.name] ?? d.status.name.toLowerCase()}`, {
        links: links(runId, d.runId),
      });
    }
    return d;
  }

  return { client, namespace, links, describe, running };
}

export type RunAccess = ReturnType<typeof runAccess>;
