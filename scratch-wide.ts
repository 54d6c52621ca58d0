import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '/work/main/activities';
import { sdkExecutable } from '/work/main/src/temporal/binaries';
import { DEV_SERVER_TUNING } from '/work/main/src/temporal/dev-server';
import { createBraidWorker, WORKFLOWS_PATH } from '/work/main/src/temporal/worker';
import { startHttpTarget } from '/work/main/test/helpers/http-target';
import { countWorkflowTaskFailures } from '/work/main/test/helpers/history';

const width = Number(process.argv[2] ?? 1000);
const exec = process.argv[3] ?? 'activity';
async function main() {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: sdkExecutable('cli'), extraArgs: process.env.TUNED ? DEV_SERVER_TUNING : [] } });
  const target = await startHttpTarget();
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const worker = await createBraidWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue: 'q', activities: createActivities({ httpAllowlist: ['127.0.0.1'] }), workflowBundle: bundle });
  await worker.runUntil(async () => {
    for (let rep = 0; rep < 3; rep++) {
      const nodes: unknown[] = [{ id: 'start', type: 'trigger' }];
      const edges: unknown[] = [];
      for (let i = 0; i < width; i++) { nodes.push({ id: `n${i}`, type: 'http', execution: exec, data: { url: `${target.url}/delay/50` } }); edges.push({ source: 'start', target: `n${i}` }); }
      const t0 = Date.now();
      const id = `w-${rep}-${Date.now()}`;
      const r: any = await env.client.workflow.execute('graphWorkflow', { taskQueue: 'q', workflowId: id, args: [{ definition: { nodes, edges, settings: { maxParallel: 1000 } } }] });
      const wall = Date.now() - t0;
      const f = await countWorkflowTaskFailures(env.client, id);
      console.log(JSON.stringify({ width, exec, wall, metrics: r.metrics, ...f }));
    }
  });
  await target.close(); await env.teardown();
}
main().catch((e) => { console.error(e); process.exit(1); });
