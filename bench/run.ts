/**
 * `npm run bench [-- --quick]`: Braid against the alternatives, measured in one
 * run on this machine. Starts its own Temporal dev servers (in memory: one
 * tuned as `npm start` runs it, one with Temporal's defaults), a worker for
 * each, the API and a local HTTP target. Baselines (hand-written Temporal
 * workflows, the in-memory floor) run in the same process and the same run.
 * Writes bench/results/<name>.json, bench/results/<name>.md and SVG charts,
 * ending with the goal rows, each against its target.
 */
import { codeNodeScenario } from './code-node';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { benchCluster } from './cluster';
import { benchDefaultStack } from './default-stack';
import { benchEagerStart } from './eager-start';
import { startBench } from './context';
import { fanOut } from './graphs';
import { writeForEachReport, writeReport, writeSectionReport } from './report';
import { measureRunPage } from './run-page';
import { measureS1Steps } from './s1-steps';
import { forEachScenario } from './scenarios/for-each';
import { fanOutScenario } from './scenarios/s1-fan-out';
import { unbalancedScenario } from './scenarios/s2-unbalanced';
import { widthScenario } from './scenarios/s3-width';
import { depthScenario } from './scenarios/s4-depth';
import { retryScenario } from './scenarios/retry';
import { apiScenario } from './scenarios/s5-api';
import { schedulerScenario } from './scenarios/s6-scheduler';
import { limitScenario } from './scenarios/s7-limit';
import { busyQueueScenario } from './scenarios/s8-busy-queue';
import { syncScenario } from './scenarios/sync';
import { watchedScenario } from './scenarios/watched';
import { rateLimitedScenario } from './scenarios/s9-rate-limited';
import { benchAuthCost } from './auth-cost';
import { benchFlowControl } from './flow-control';
import { benchTracing } from './tracing';

const quick = process.argv.includes('--quick');
/** `--for-each`: only the forEach scenario (its own report, bench/results/for-each.md). */
const forEachOnly = process.argv.includes('--for-each');
/** `--ui`: only the run page in Chromium (bench/run-page.ts). */
const uiOnly = process.argv.includes('--ui');
/** `--limits`: only S7 (critical path first under maxParallel), S8 (priority behind a busy queue) and S9 (a rate-limited target), their own report bench/results/limits.md. */
const limitsOnly = process.argv.includes('--limits');
/** `--steps`: only S1's history events, Braid against hand-written (bench/s1-steps.ts). */
const stepsOnly = process.argv.includes('--steps');
/** `--stack[=s1,wide,start,cpu,s11,s8]`: Braid through `npm start` and its API beside hand-written baselines (bench/default-stack.ts). */
const stackArg = process.argv.find((a) => a === '--stack' || a.startsWith('--stack='));
/** `--cluster`: the dev server and `npm run cluster` side by side (bench/cluster.ts). */
const clusterOnly = process.argv.includes('--cluster');
/** `--eager`: eager workflow start on and off, a worker and its client in one process (bench/eager-start.ts). */
const eagerOnly = process.argv.includes('--eager');
/** `--auth`: a start's cost with the bootstrap token and with an operator's API key, alternating (bench/auth-cost.ts). */
const authOnly = process.argv.includes('--auth');
/** `--flow`: S10 (concurrency per key), admission cost, debounce and batch (bench/flow-control.ts). */
const flowOnly = process.argv.includes('--flow');
/** `--tracing`: S1 and the 1,000-wide fan-out traced and untraced, alternating, exporting to Jaeger (bench/tracing.ts). */
const tracingOnly = process.argv.includes('--tracing');
/** `--code`: the code node's goals (bench/code-node.ts). */
const codeOnly = process.argv.includes('--code');
const outDir = resolve(__dirname, 'results');
const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

async function main(): Promise<string> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  mkdirSync(outDir, { recursive: true });
  if (uiOnly) return measureRunPage({ reps: quick ? 1 : 5, outDir, log });
  if (clusterOnly) return benchCluster({ quick, outDir, log });
  if (eagerOnly) return benchEagerStart({ quick, outDir, log });
  if (authOnly) return benchAuthCost({ quick, outDir, log });
  if (flowOnly) return benchFlowControl({ quick, outDir, log });
  if (tracingOnly) return benchTracing({ quick, outDir, log });
  if (stackArg) return benchDefaultStack({ quick, outDir, log, ...(stackArg.includes('=') ? { only: stackArg.split('=')[1]!.split(',') } : {}) });
  const ctx = await startBench(quick, log);
  try {
    // Warm-up: worker caches, connections, JIT.
    const warm = fanOut(ctx.base, 5, 1, 1);
    if (limitsOnly) {
      for (let i = 0; i < 3; i++) await ctx.runBraid(warm);
      await limitScenario(ctx);
      await busyQueueScenario(ctx);
      await rateLimitedScenario(ctx);
      return writeSectionReport(ctx, outDir, 'limits');
    }
    if (stepsOnly) {
      for (let i = 0; i < 3; i++) await ctx.runBraid(warm);
      // Awaited here: `finally` tears the stack down.
      return await measureS1Steps(ctx, outDir);
    }
    if (codeOnly) {
      await ctx.runBraid(warm);
      return await codeNodeScenario(ctx, outDir);
    }
    if (forEachOnly) {
      await ctx.runBraid(warm);
      await forEachScenario(ctx);
      return writeForEachReport(ctx, outDir);
    }
    for (let i = 0; i < 3; i++) {
      await ctx.runBraid(warm);
      await ctx.runBraid(warm, undefined, ctx.untunedClient);
      await ctx.runBraid(fanOut(ctx.base, 5, 1, 1, 'parallel', 'local'));
    }
    const { S1, timeline } = await fanOutScenario(ctx);
    await syncScenario(ctx);
    const s2 = await unbalancedScenario(ctx);
    const S3 = await widthScenario(ctx);
    await depthScenario(ctx);
    await retryScenario(ctx);
    await apiScenario(ctx);
    await watchedScenario(ctx);
    await forEachScenario(ctx);
    await schedulerScenario(ctx);
    await limitScenario(ctx);
    await busyQueueScenario(ctx);
    await rateLimitedScenario(ctx);
    return writeReport(ctx, outDir, { S1, s1Timeline: timeline, s2, S3 });
  } finally {
    await ctx.teardown();
  }
}

main().then(
  (md) => {
    process.stdout.write(`\n${md}\n`);
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
