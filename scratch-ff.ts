import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from './activities';
import { sdkExecutable } from './src/temporal/binaries';
import { createBraidWorker, WORKFLOWS_PATH } from './src/temporal/worker';
import { startHttpTarget } from './test/helpers/http-target';
import { countWorkflowTaskFailures } from './test/helpers/history';
async function main() {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: sdkExecutable('cli') } });
  const target = await startHttpTarget();
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace(){}, debug(){}, info(){}, warn(){}, error(){}, log(){} } as any });
  const worker = await createBraidWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue: 'q', activities: createActivities({ httpAllowlist: ['127.0.0.1'] }), workflowBundle: bundle });
  await worker.runUntil(async () => {
    const mode = process.argv[2];
    const nodes: any[] = [{ id: 'start', type: 'trigger' }]; const edges: any[] = [];
    const width = mode === 'ff' ? 300 : 4999;
    for (let i = 0; i < width; i++) { nodes.push({ id: `n${i}`, type: 'http', data: { url: `${target.url}/delay/${mode === 'ff' ? 3000 : 5}` } }); edges.push({ source: 'start', target: `n${i}` }); }
    if (mode === 'ff') { nodes.push({ id: 'bad', type: 'http', data: { url: `${target.url}/status/404` } }); edges.push({ source: 'start', target: 'bad' }); }
    const id = `w-${Date.now()}`; const t0 = Date.now();
    try {
      const r: any = await env.client.workflow.execute('graphWorkflow', { taskQueue: 'q', workflowId: id, args: [{ definition: { nodes, edges, settings: { maxParallel: 1000 } } }] });
      console.log('ok', Date.now() - t0, JSON.stringify(r.metrics), JSON.stringify(r).length);
    } catch (e: any) {
      console.log('err', Date.now() - t0, e.message, e.cause?.message);
      const st = e.cause?.details?.[0];
      if (st) { const c: any = {}; for (const [k, n] of Object.entries<any>(st.nodes)) { const key = n.status + ':' + (n.error?.type ?? '') + ':' + (n.execution ?? ''); c[key] = (c[key] ?? 0) + 1; } console.log(c); }
    }
    try { console.log(JSON.stringify(await countWorkflowTaskFailures(env.client, id))); } catch (e: any) { console.log("count failed", e.stack); }
  });
  await target.close(); await env.teardown();
}
main().catch((e) => { console.error(e); process.exit(1); });
