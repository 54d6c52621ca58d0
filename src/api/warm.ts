/**
 * A fresh API's first start pays once for what later ones find ready: zod
 * compiling its parsers, the graph validation and expression paths, and the
 * first call over the Temporal connection. The API does that work before it
 * listens, on the warm-up graph, so its first client is not the one who pays
 * (measured by the bench's "first run after the API is up" row). Nothing is
 * started, stored or counted.
 */
import type { Client } from '@temporalio/client';
import { validateWorkflow } from '../graph/triggers';
import type { NodeCatalog } from '../graph/node-type';
import { WARMUP_DEFINITION } from '../temporal/warmup';
import { startRunBodySchema } from './schemas';

export async function warmApi(client: Client, types: NodeCatalog): Promise<void> {
  const body = startRunBodySchema.safeParse({ workflow: WARMUP_DEFINITION, input: { n: 1 } });
  if (body.success) JSON.stringify(validateWorkflow(body.data.workflow, types));
  // The connection is lazy: its first call opens the channel. Temporal being away must not hold the API up.
  await client.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({})).catch(() => undefined);
}
