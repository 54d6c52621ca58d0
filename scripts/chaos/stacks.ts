/**
 * The processes the chaos runner (scripts/chaos.ts) starts and kills: the
 * split stack (Temporal's dev server, two workers, the API), or `npm run
 * cluster` (`--cluster`).
 */
import type { Part } from '../../test/helpers/split-stack';
import { startSplitStack } from '../../test/helpers/split-stack';
import type { LaunchedCluster } from '../../test/helpers/cluster';
import { launchCluster } from '../../test/helpers/cluster';
import type { TemporalTlsFiles } from '../../src/config';
import type { ClusterPart } from '../../src/cluster/topology';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the runner needs of the processes under test: the split stack, or `npm run cluster`. */
export interface ChaosStack {
  /** Which parts to kill, with their weights. */
  weights: Record<string, number>;
  /** The processes that run Braid's workers (their pids name task holders in histories). */
  workers: string[];
  describe: string;
  /** An API to call (the cluster's two replicas in turn, as a load balancer would). */
  api(): string;
  temporal(): string;
  /** The client certificate the cluster's frontend requires; none for the dev server. */
  temporalTls?(): TemporalTlsFiles | undefined;
  startAll(): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill(part: string): Promise<void>;
  /** Resolves once the part runs again (the runner starts it, or the cluster's supervisor does). */
  restart(part: string): Promise<void>;
  pid(part: string): number | undefined;
  stop(): Promise<void>;
}

export async function splitChaosStack(): Promise<ChaosStack> {
  const stack = await startSplitStack({ HTTP_ALLOWLIST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error' }, { workers: 2 });
  return {
    weights: { worker: 35, worker2: 25, api: 20, temporal: 20 },
    workers: ['worker', 'worker2'],
    describe: 'temporal, worker, worker2, api',
    api: () => stack.api,
    temporal: () => stack.temporal,
    startAll: () => stack.startAll(),
    kill: (part) => stack.kill(part as Part, 'SIGKILL'),
    restart: async (part) => void (await stack.start(part as Part)),
    pid: (part) => stack.pid(part as Part),
    stop: () => stack.stop(),
  };
}

/** `--cluster`: the same runs against `npm run cluster`, killing any of its processes by its pid file. */
export function clusterChaosStack(log: (msg: string) => void): ChaosStack {
  let cluster: LaunchedCluster | undefined;
  let turn = 0;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const killed = new Map<string, number>();
  return {
    weights: {
      'braid-worker-1': 18,
      'braid-worker-2': 12,
      'braid-api-1': 10,
      'braid-api-2': 6,
      'temporal-history-1': 12,
      'temporal-history-2': 8,
      'temporal-matching': 10,
      'temporal-frontend': 8,
      'temporal-worker': 6,
      postgres: 10,
    },
    workers: ['braid-worker-1', 'braid-worker-2'],
    describe: 'npm run cluster: postgres, temporal history ×2, matching, frontend, worker service, braid worker ×2, braid api ×2',
    api: () => cluster!.apis[turn++ % 2]!,
    temporal: () => cluster!.temporalAddress,
    temporalTls: () => cluster!.temporalTls,
    async startAll() {
      // CHAOS_KEEP=1 keeps the cluster's folder (its parts' logs, at CHAOS_LOG_LEVEL) to look into a failed run.
      cluster = await launchCluster(
        { HTTP_ALLOWLIST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'error' },
        { keepDir: !!process.env.CHAOS_KEEP },
      );
      if (process.env.CHAOS_KEEP) log(`cluster folder (kept): ${cluster.dir}`);
    },
    async kill(part) {
      const pid = cluster!.kill(part as ClusterPart);
      if (pid === undefined) return;
      killed.set(part, pid);
      while (alive(pid)) await sleep(20);
    },
    async restart(part) {
      // The cluster's supervisor starts it again; wait for its new pid file.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const pid = cluster!.pid(part as ClusterPart);
        if (pid !== undefined && pid !== killed.get(part) && alive(pid)) return;
        if (Date.now() > deadline) throw new Error(`${part} did not come back within 120 s`);
        await sleep(100);
      }
    },
    pid: (part) => cluster?.pid(part as ClusterPart),
    stop: async () => cluster?.stop(),
  };
}
