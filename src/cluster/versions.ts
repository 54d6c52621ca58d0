/**
 * What the cluster runs, pinned. `npm run cluster` builds these from the Go
 * module proxy into `.temporal/bin/` once and reuses them while the versions
 * match; docker-compose.yml names the same versions as images (a test checks).
 */
export const CLUSTER_VERSIONS = {
  /** go.temporal.io/server: the server (`temporal-server`) and its schema tool (`temporal-sql-tool`). */
  server: '1.32.2',
  /** github.com/temporalio/ui-server/v2: the Temporal Web UI (the same UI the CLI's dev server embeds). */
  ui: '2.54.1',
} as const;

/** The binaries, their Go packages and the version each is built at. */
export const CLUSTER_BINARIES = {
  'temporal-server': { pkg: 'go.temporal.io/server/cmd/server', version: `v${CLUSTER_VERSIONS.server}` },
  'temporal-sql-tool': { pkg: 'go.temporal.io/server/cmd/tools/sql', version: `v${CLUSTER_VERSIONS.server}` },
  'temporal-ui-server': { pkg: 'github.com/temporalio/ui-server/v2/cmd/server', version: `v${CLUSTER_VERSIONS.ui}` },
} as const;
export type ClusterBinary = keyof typeof CLUSTER_BINARIES;
