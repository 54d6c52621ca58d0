/**
 * Starts one `npm run cluster` for the whole cluster suite, with what the
 * suite exercises switched on: an API token, payload encryption, the claim
 * check (its default), custom node types and a webhook secret.
 */
import type { TestProject } from 'vitest/node';
import type { ClusterInfo } from '../helpers/cluster';
import { launchCluster } from '../helpers/cluster';

export const CLUSTER_TOKEN = 'cluster-suite-token';
export const HOOK_SECRET = 'cluster-hook-secret';
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await launchCluster({
    API_TOKEN: CLUSTER_TOKEN,
    BRAID_ENCRYPTION_KEY: ENCRYPTION_KEY,
    BRAID_NODE_TYPES: 'examples/node-types/index.ts',
    BRAID_WEBHOOK_SECRET_CLUSTER_HOOK: HOOK_SECRET,
    // node-types.test.ts calls the custom sha256 type's activity from an activity node.
    ACTIVITY_ALLOWLIST: '*:sha256',
    HTTP_ALLOWLIST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '0',
  });
  project.provide('cluster', {
    dir: cluster.dir,
    apis: cluster.apis,
    temporalAddress: cluster.temporalAddress,
    temporalTls: cluster.temporalTls,
    uiUrl: cluster.uiUrl,
  });
  return () => cluster.stop();
}
