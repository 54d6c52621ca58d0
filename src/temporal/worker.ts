/**
 * Builds a Braid worker: the interpreter workflow plus the activities, tuned for
 * graphs with wide fan-out.
 */
import { resolve } from 'node:path';
import type { InjectedSinks, NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { BraidSinks } from '../../workflows/run-trace';
import { activeTracing } from '../telemetry/tracing';
import { TraceContextInterceptor } from '../../activities/http-trace';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { PAYLOAD_CONVERTER_PATH } from '../codec/data-converter';

export const WORKFLOWS_PATH = resolve(__dirname, '..', '..', 'workflows', 'index.ts');

/**
 * Modules a workflow thread evaluates once instead of once per workflow:
 * zod, and the memo through which every workflow reuses the schemas the
 * thread's first one built (src/graph/build-once.ts). Every bundle of
 * Braid's workflows is built with these (`workflowBundleOptions`).
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = ['zod', resolve(__dirname, '..', 'graph', 'build-once.ts')];

/** What bundles Braid's workflows (`workflowsPath`: the benchmarks add their own beside them). */
export function workflowBundleOptions(workflowsPath: string = WORKFLOWS_PATH) {
  return { workflowsPath, payloadConverterPath: PAYLOAD_CONVERTER_PATH, preloadModules: [...WORKFLOW_PRELOAD_MODULES] };
}

export interface BraidWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A pre-built bundle (tests bundle once; build it with `payloadConverterPath: PAYLOAD_CONVERTER_PATH`); by default the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  dataConverter?: WorkerOptions['dataConverter'];
  overrides?: Partial<WorkerOptions>;
}

/** Worker settings tuned for Braid's workload (see docs/performance.md). */
export const WORKER_TUNING = {
  // Heartbeats carry cancellation to activities; send them at least every second.
  maxHeartbeatThrottleInterval: '1s',
  defaultHeartbeatThrottleInterval: '1s',
  // HTTP nodes spend their time waiting on the network, not the CPU.
  maxConcurrentActivityTaskExecutions: 2_000,
  // Local http nodes (`execution: "local"`) run here too; a 1,000-wide local fan-out runs at once.
  maxConcurrentLocalActivityExecutions: 1_000,
  // Let a workflow task take its activities with it (eager execution, when the
  // server allows it) instead of the default 3: a wide fan-out then skips the
  // activity task queue. Measured: 1,000 siblings of 50 ms in ~3.0 s instead of ~3.9 s.
  maxEagerActivityReservationsPerWorkflowTask: 1_000,
  maxConcurrentWorkflowTaskExecutions: 100,
  maxCachedWorkflows: 1_000,
  shutdownGraceTime: '5s',
} satisfies Partial<WorkerOptions>;

/**
 * The SDK's guard against workflow code that never yields (5 s by default).
 * Braid's interpreter has no unbounded loop (expressions are metered,
 * src/graph/expression-limits.ts), so the guard only ever meets a slow
 * activation on a busy machine (a run with 100 MB of outputs), and when it
 * fires while promises run, Node aborts the whole process ("async hook stack
 * has become corrupted"; nodejs/node#38503, sdk-typescript#939) instead of
 * failing the one workflow task. `WorkerOptions` does not declare it, but
 * `Worker.create` takes it (test/dev-server/large-data.test.ts checks).
 */
export const ISOLATE_EXECUTION_TIMEOUT = '60s';

/**
 * The worker process's own settings (src/worker.ts, so `npm start`, `npm run
 * cluster` and docker-compose), beside WORKER_TUNING: two workflow threads
 * (the SDK's default with a reused V8 context is one). A run whose
 * expressions hold a thread a while (up to the limits in
 * src/graph/expression-limits.ts) then holds one, and other runs go on on the
 * other. The machines Braid targets have two cores or more.
 */
export const WORKER_PROCESS_TUNING = { workflowThreadPoolSize: 2 } satisfies Partial<WorkerOptions>;

/**
 * Where a traced run's spans go (workflows/run-trace.ts): this process's
 * exporter when it traces, nowhere otherwise. Not called on replay, so a
 * run another worker replays reports nothing twice.
 */
export const BRAID_SINKS: InjectedSinks<BraidSinks> = {
  braidTrace: { span: { fn: (_info, record) => activeTracing()?.exportRecord(record), callDuringReplay: false } },
};

export async function createBraidWorker(opts: BraidWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] } }),
    ...(opts.identity ? { identity: opts.identity } : {}),
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, ...opts.dataConverter },
    sinks: BRAID_SINKS,
    interceptors: { activity: [() => ({ inbound: new TraceContextInterceptor() })] },
    ...WORKER_TUNING,
    ...({ isolateExecutionTimeout: ISOLATE_EXECUTION_TIMEOUT } as Partial<WorkerOptions>),
    ...opts.overrides,
  });
}

/**
 * The worker for Config.flowTaskQueue: admission and trigger-buffer workflows,
 * one per key, each task a few milliseconds. Their own slots and workflow
 * thread keep them answering while the main worker replays hundreds of runs
 * (as after the other worker died); a key's workflow stays cached.
 */
export const FLOW_WORKER_TUNING = {
  workflowThreadPoolSize: 1,
  maxConcurrentWorkflowTaskExecutions: 20,
  maxConcurrentActivityTaskExecutions: 100,
  maxEagerActivityReservationsPerWorkflowTask: 3,
  maxConcurrentLocalActivityExecutions: 20,
} satisfies Partial<WorkerOptions>;
