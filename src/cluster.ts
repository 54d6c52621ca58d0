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
  const lines = [
    '',
    `Braid cluster is up (${((Date.now() - started) / 1000).toFixed(1)} s): Temporal ${CLUSTER_VERSIONS.server} on PostgreSQL, two history hosts, two workers, two APIs.`,
    '',
    `  Braid API          ${cluster.apis[0]}   and ${cluster.apis[1]}   (docs at /docs, runs at /runs, editor at /editor)`,
    `  Temporal frontend  ${cluster.temporalAddress}   (TEMPORAL_ADDRESS for the CLI and SDKs)`,
    `  Temporal Web UI    ${cluster.uiUrl}`,
    `  PostgreSQL         127.0.0.1:${cluster.ports.postgres}   (databases temporal, temporal_visibility, braid)`,
    `  data               ${cluster.dir}`,
    `  pid files          ${cluster.runDir}/<part>.pid`,
    `  logs               ${cluster.logDir}/<part>.log`,
    '',
    'A part that dies is started again on the same data. Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  try {
    await Promise.race([stopSignal, cluster.gaveUp]);
  } finally {
    await cluster.stop();
  }
});
