/**
 * The production topology, as data: which processes `npm run cluster` runs,
 * in what order, and how they find each other. docker-compose.yml runs the
 * same services (test/cluster/compose.test.ts compares the two).
 */
export const TEMPORAL_SERVICES = ['temporal-history-1', 'temporal-history-2', 'temporal-matching', 'temporal-frontend', 'temporal-worker'] as const;
export const BRAID_PARTS = ['braid-worker-1', 'braid-worker-2', 'braid-api-1', 'braid-api-2'] as const;

/** Every supervised process, in start order; each has `$CLUSTER_DIR/run/<name>.pid`. */
export const CLUSTER_PARTS = ['postgres', ...TEMPORAL_SERVICES, 'temporal-ui', ...BRAID_PARTS] as const;
export type ClusterPart = (typeof CLUSTER_PARTS)[number];
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** The Temporal role (`temporal-server start --service <role>`) each process plays. */
export const TEMPORAL_ROLE: Record<TemporalService, 'history' | 'matching' | 'frontend' | 'worker'> = {
  'temporal-history-1': 'history',
  'temporal-history-2': 'history',
  'temporal-matching': 'matching',
  'temporal-frontend': 'frontend',
  'temporal-worker': 'worker',
};

/**
 * History shards: fixed when the database is first set up. 8 spreads the
 * load over both history hosts (4 each) with room for a few more hosts;
 * Temporal's own guidance is a power of two sized for the largest load
 * expected (docs/operations.md, "Capacity").
 */
export const NUM_HISTORY_SHARDS = 8;

/** Databases on the cluster's PostgreSQL. */
export const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility', braid: 'braid' } as const;

/** The namespace Braid runs in, created on start with this retention. */
export const NAMESPACE_RETENTION_DAYS = 3;

export interface ClusterPorts {
  postgres: number;
  frontendGrpc: number;
  frontendHttp: number;
  ui: number;
  api: [number, number];
  /** gRPC and membership ports of each Temporal process other than the frontend's gRPC. */
  grpc: Record<Exclude<TemporalService, 'temporal-frontend'>, number>;
  membership: Record<TemporalService, number>;
}

/**
 * The environment of one Temporal process for src/cluster/temporal-server.yaml.
 * On one host every process binds 127.0.0.1 with ports of its own; in
 * docker-compose.yml every container uses the defaults on its own address.
 */
export function temporalServiceEnv(
  service: TemporalService,
  ports: ClusterPorts,
  db: { host: string; user: string; password: string },
  dynamicConfigPath: string,
  tlsDir: string,
): Record<string, string> {
  const history = service === 'temporal-history-2' ? 'temporal-history-2' : 'temporal-history-1';
  return {
    BIND_ON_IP: '127.0.0.1',
    NUM_HISTORY_SHARDS: String(NUM_HISTORY_SHARDS),
    POSTGRES_SEEDS: db.host,
    DB_PORT: String(ports.postgres),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    DBNAME: DATABASES.temporal,
    VISIBILITY_DBNAME: DATABASES.visibility,
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfigPath,
    TEMPORAL_TLS_DIR: tlsDir,
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.membership['temporal-frontend']),
    HISTORY_GRPC_PORT: String(ports.grpc[history]),
    HISTORY_MEMBERSHIP_PORT: String(ports.membership[history]),
    MATCHING_GRPC_PORT: String(ports.grpc['temporal-matching']),
    MATCHING_MEMBERSHIP_PORT: String(ports.membership['temporal-matching']),
    WORKER_GRPC_PORT: String(ports.grpc['temporal-worker']),
    WORKER_MEMBERSHIP_PORT: String(ports.membership['temporal-worker']),
    FRONTEND_ADDRESS: `127.0.0.1:${ports.frontendGrpc}`,
    FRONTEND_HTTP_ADDRESS: `127.0.0.1:${ports.frontendHttp}`,
  };
}
