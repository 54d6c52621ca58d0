/**
 * `npm run cluster`: Braid's production topology on this machine (see
 * src/cluster/launch.ts): PostgreSQL, the Temporal server as five processes
 * with two history hosts, the Temporal Web UI, two Braid workers and two
 * Braid APIs, each supervised. The first run builds the Temporal server, its
 * schema tool and the Web UI from the Go module proxy (several minutes);
 * later runs reuse them. Ctrl-C / SIGTERM stops everything, PostgreSQL last.
 *
 * `npm run cluster -- --build-only` builds the binaries and exits (CI).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { announce, clusterBanner } from './banner';
import { ensureClusterBinaries } from './cluster/build';
import { startCluster } from './cluster/launch';
import { CLUSTER_VERSIONS } from './cluster/versions';
import { loadConfig, processEnvironment } from './config';
import { createLogger } from './logger';
import { runMain } from './main';

const clusterEnv = z.object({
  CLUSTER_DIR: z.string().min(1).default('./.cluster'),
  /** PostgreSQL's port; a free one when unset. */
  CLUSTER_POSTGRES_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
});

// One exit hook per process the launcher keeps (src/cluster/process.ts).
process.setMaxListeners(50);

runMain('cluster', async (stopSignal) => {
  const config = loadConfig();
  const env = clusterEnv.parse(processEnvironment());
  const logger = createLogger(config.logLevel, { component: 'cluster' });
  const binaries = await ensureClusterBinaries(logger);
  if (process.argv.includes('--build-only')) return;
  const started = Date.now();
  const cluster = await startCluster({ dir: resolve(env.CLUSTER_DIR), config, binaries, logger, postgresPort: env.CLUSTER_POSTGRES_PORT });
  announce(
    clusterBanner({
      seconds: (Date.now() - started) / 1000,
      server: CLUSTER_VERSIONS.server,
      apis: cluster.apis,
      temporalAddress: cluster.temporalAddress,
      uiUrl: cluster.uiUrl,
      postgresPort: cluster.ports.postgres,
      dir: cluster.dir,
      runDir: cluster.runDir,
      logDir: cluster.logDir,
    }),
  );
  try {
    await Promise.race([stopSignal, cluster.gaveUp]);
  } finally {
    await cluster.stop();
  }
});
