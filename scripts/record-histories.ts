/**
 * `npm run record-histories`: runs every graph in examples/ on the time-skipping
 * server against a local HTTP target and saves each run's history to
 * test/fixtures/histories/<example>.json, and each batch child's history to
 * test/fixtures/histories/children/<child workflow id>.json. CI replays them against the current
 * workflow code (test/replay), so a change that breaks running workflows fails.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { sdkExecutable } from '../src/temporal/binaries';
import { createBraidWorker } from '../src/temporal/worker';
import { startHttpTarget } from '../test/helpers/http-target';
import { BATCH_WORKFLOW_TYPE, FOR_EACH_BATCH_WORKFLOW_TYPE } from '../src/graph/run-state';
import { graphWorkflow, stateQuery } from '../workflows';
import { pauseUpdate, resumeUpdate } from '../workflows/run-control';
import type { RunState } from '../src/graph/run-state';
import { SEARCH_ATTRIBUTES } from '../src/graph/run-state';
import { temporal } from '@temporalio/proto';
import { BUILT_IN_CATALOG } from '../src/graph/nodes';
import { assertValid } from '../src/graph/validate';
import { pinnedRun } from '../src/runs/pins';
import { admissionEntityId, createAdmitter } from '../src/runs/admission';
import { DEV_SERVER_TUNING } from '../src/temporal/dev-server';

const root = resolve(__dirname, '..');
const outDir = join(root, 'test', 'fixtures', 'histories');

/** A test run's pins as the API turns them into seeds (src/api/pins.ts). */
function examplePins(example: { workflow: unknown; pins?: Record<string, unknown> }) {
  if (!example.pins) return {};
  return pinnedRun(assertValid(example.workflow, BUILT_IN_CATALOG).graph, BUILT_IN_CATALOG, example.pins);
}

async function main() {
  // `--only queued-run`: record that one alone; `--example deadline.json`: that example alone (the others stay as they are).
  if (process.argv.includes('--only')) return recordQueuedRun();
  const only = process.argv.includes('--example') ? process.argv[process.argv.indexOf('--example') + 1] : undefined;
  mkdirSync(join(outDir, 'children'), { recursive: true });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: sdkExecutable('testServer') } });
  // Braid's search attributes, as on any server Braid runs on (a pause upserts one).
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  const target = await startHttpTarget();
  const taskQueue = 'record-histories';
  const worker = await createBraidWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'], env: { BRAID_SECRET_API_KEY: 'recorded-key-value' } }),
  });
  try {
    await worker.runUntil(async () => {
      for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json') && (!only || f === only))) {
        const example = JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as {
          workflow: unknown;
          input: Record<string, unknown>;
          pins?: Record<string, unknown>;
        };
        const workflowId = `replay-${file.replace(/\.json$/, '')}`;
        const handle = await env.client.workflow.start(graphWorkflow, {
          taskQueue,
          workflowId,
          args: [{ definition: example.workflow, input: { ...example.input, baseUrl: target.url }, ...examplePins(example) }],
        });
        await handle.result().catch(() => undefined);
        const history = await handle.fetchHistory();
        writeFileSync(join(outDir, file), `${historyToJSON(history)}\n`);
        process.stdout.write(`recorded ${file}: ${history.events?.length ?? 0} events\n`);
        // Batch children (a wide ready set's nodeBatchWorkflow, a forEach's forEachBatchWorkflow) replay too.
        for (const e of history.events ?? []) {
          const child = e.childWorkflowExecutionStartedEventAttributes;
          const type = child?.workflowType?.name;
          const childId = child?.workflowExecution?.workflowId;
          if (!childId || (type !== BATCH_WORKFLOW_TYPE && type !== FOR_EACH_BATCH_WORKFLOW_TYPE)) continue;
          const childHistory = await env.client.workflow.getHandle(childId).fetchHistory();
          writeFileSync(join(outDir, 'children', `${encodeURIComponent(childId)}.json`), `${historyToJSON(childHistory)}\n`);
          process.stdout.write(`  recorded its child ${childId} (${type}): ${childHistory.events?.length ?? 0} events\n`);
        }
      }
      if (!only) await recordPausedRun(env, taskQueue, target.url);
    });
  } finally {
    await target.close();
    await env.teardown();
  }
  if (!only) await recordQueuedRun();
}

/** A run paused while its first request runs and resumed once it ended (the `pause` and `resume` updates): paused-run.json. */
async function recordPausedRun(env: TestWorkflowEnvironment, taskQueue: string, baseUrl: string): Promise<void> {
  const definition = {
    name: 'paused-run',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'first', type: 'http', data: { url: `${baseUrl}/delay/300` } },
      { id: 'second', type: 'http', data: { url: `${baseUrl}/echo` } },
    ],
    edges: [
      { source: 'start', target: 'first' },
      { source: 'first', target: 'second' },
    ],
  };
  const handle = await env.client.workflow.start(graphWorkflow, { taskQueue, workflowId: 'replay-paused-run', args: [{ definition, input: null }] });
  const until = async (check: (s: RunState) => boolean) => {
    while (!check(await handle.query(stateQuery))) await new Promise((r) => setTimeout(r, 20));
  };
  await until((s) => s.nodes.first?.status === 'running');
  await handle.executeUpdate(pauseUpdate);
  await until((s) => s.nodes.first?.status === 'succeeded');
  await handle.executeUpdate(resumeUpdate);
  await handle.result();
  const history = await handle.fetchHistory();
  writeFileSync(join(outDir, 'paused-run.json'), `${historyToJSON(history)}\n`);
  process.stdout.write(`recorded paused-run.json: ${history.events?.length ?? 0} events\n`);
}

/**
 * A run that waits for its concurrency limit (started as a schedule starts
 * one: nobody asked for it, so it asks itself through `admitRun`), let in by
 * the `braid-admitted` signal and releasing its slot at its end:
 * queued-run.json; and its key's admission workflow: admission-entity.json.
 * On a dev server: admission is an Update-with-Start.
 */
async function recordQueuedRun(): Promise<void> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: sdkExecutable('cli'),
      searchAttributes: SEARCH_ATTRIBUTES.map((name) => ({ name, type: 'KEYWORD' }) as never),
      extraArgs: DEV_SERVER_TUNING,
    },
  });
  const target = await startHttpTarget();
  const taskQueue = 'record-queued';
  const admitter = createAdmitter({ client: env.client, taskQueue });
  const worker = await createBraidWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ httpAllowlist: ['127.0.0.1'], admission: { client: env.client, admitter } }),
  });
  const definition = {
    name: 'queued-run',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'call', type: 'http', data: { url: `${target.url}/delay/300` } },
    ],
    edges: [{ source: 'start', target: 'call' }],
    settings: { concurrency: { key: '{% $input.customer %}', limit: 1 } },
  };
  const start = (workflowId: string) =>
    env.client.workflow.start(graphWorkflow, { taskQueue, workflowId, args: [{ definition, input: { customer: 'acme' } }] });
  try {
    await worker.runUntil(async () => {
      const holder = await start('replay-queued-holder');
      const queued = await start('replay-queued-run');
      await Promise.all([holder.result(), queued.result()]);
      const entity = env.client.workflow.getHandle(admissionEntityId('default', 'queued-run', 'concurrency', 'acme'));
      // Its history so far: it waits a minute for the next run before it ends.
      await new Promise((r) => setTimeout(r, 500));
      for (const [handle, file] of [
        [queued, 'queued-run.json'],
        [entity, 'admission-entity.json'],
      ] as const) {
        const history = await handle.fetchHistory();
        writeFileSync(join(outDir, file), `${historyToJSON(history)}\n`);
        process.stdout.write(`recorded ${file}: ${history.events?.length ?? 0} events\n`);
      }
    });
  } finally {
    await target.close();
    await env.teardown();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
