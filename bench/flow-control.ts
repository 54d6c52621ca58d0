/**
 * `npm run bench -- --flow`: flow control on Braid as `npm start` runs it
 * (bench/default-stack.ts: its dev server, its worker process with runs on
 * one queue and admission and buffered triggers on `<queue>-flow`, the API
 * with its SQLite file), driven through the API, and a local HTTP target
 * that records every request:
 *
 * - S10: 100 runs of a 300 ms graph over 10 keys with `concurrency.limit: 1`,
 *   against the same 100 runs without a key (same bench run): never more than
 *   one in flight per key at the target, every run succeeds, and the wall
 *   time against 10 × 300 ms + the unkeyed wall − 300 ms;
 * - admission cost: POST /v1/runs latency p50 with a concurrency key (a
 *   limit that never binds) over without, alternating rounds, back to back
 *   and each start after the previous run ended; beside it, the floor: one
 *   Update-with-Start against one start through the client;
 * - debounce: 1,000 deliveries in 10 bursts of one key, period 1 s;
 * - batch: 1,000 deliveries, `maxSize: 100`.
 *
 * Client-observed. Writes bench/results/flow-control.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { PAYLOAD_CONVERTER_PATH } from '../src/codec/data-converter';
import type { GraphDefinition } from '../src/graph/schema';
import { WORKFLOW_TYPE } from '../src/graph/run-state';
import { runStartOptions } from '../src/runs/run-store';
import { createAdmitter } from '../src/runs/admission';
import { createApiClient } from '../src/temporal/connection';
import { mostAtOnce, startHttpTarget } from '../test/helpers/http-target';
import { stackAuth } from '../test/helpers/stack-token';
import { startStack } from './default-stack';
import { cpuMs, quiet } from './hand-process';
import { quantile, round } from './stats';

const cpuText = (c: { worker: number; server: number; api: number }) => `${c.worker} / ${c.server} / ${c.api} ms`;

/** `npm start`'s queues (TASK_QUEUE's default): admission and trigger buffers on a queue and worker of their own. */
const TASK_QUEUE = 'braid';
const FLOW_TASK_QUEUE = `${TASK_QUEUE}-flow`;

interface Row {
  goal: string;
  measured: string;
  met: boolean;
}

export async function benchFlowControl(opts: { quick: boolean; outDir: string; log: (m: string) => void }): Promise<string> {
  // Braid as `npm start` runs it: its dev server, its worker process (runs on
  // `braid`, admission and buffered triggers on `braid-flow`, a worker of
  // their own), the API in the start process with its SQLite file.
  const stack = await startStack();
  const client = createApiClient(stack.temporal, 'default', { payloadConverterPath: PAYLOAD_CONVERTER_PATH });
  const target = await startHttpTarget();
  // The admitter alone, for the floor below (the API has its own).
  const admitter = createAdmitter({ client, taskQueue: FLOW_TASK_QUEUE });
  const api = stack.api;
  const post = async (path: string, body: unknown): Promise<{ status: number; body: { runId: string; status: string } }> => {
    const res = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...stackAuth }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { runId: string; status: string } };
  };
  const put = async (path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...stackAuth }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`PUT ${path} answered ${res.status}: ${await res.text()}`);
  };
  const ended = (runId: string) => client.workflow.getHandle(runId).result();
  const inputOf = async (runId: string) => {
    // A buffered run starts a moment after its window closes.
    for (let tries = 0; ; tries++) {
      const found = await ended(runId).then(
        () => true,
        (err: unknown) => {
          if ((err as Error).name !== 'WorkflowNotFoundError' || tries > 300) throw err;
          return false;
        },
      );
      if (found) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return ((await (await fetch(`${api}/v1/runs/${encodeURIComponent(runId)}`, { headers: stackAuth })).json()) as { input: unknown }).input;
  };

  const rows: Row[] = [];
  const figures: Record<string, unknown> = {};
  try {
    // S10
    const runs = opts.quick ? 20 : 100;
    const keys = opts.quick ? 4 : 10;
    const delayMs = 300;
    const s10 = (tag: string, settings?: GraphDefinition['settings']): GraphDefinition => ({
      name: 's10',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'call', type: 'http', data: { url: `{% '${target.url}/delay/${delayMs}?tag=${tag}&key=' & $input.key %}` } },
      ],
      edges: [{ source: 'start', target: 'call' }],
      ...(settings ? { settings } : {}),
    });
    // Each burst starts with the stack at rest, and reports the CPU its worker process, dev server and API spent on it.
    const pids = { worker: stack.pids.worker, server: stack.pids.server, api: stack.pids.api };
    const cpu: Record<string, Record<keyof typeof pids, number>> = {};
    const burst = async (tag: string, workflow: GraphDefinition) => {
      await quiet(Object.values(pids));
      const before = { worker: cpuMs(pids.worker), server: cpuMs(pids.server), api: cpuMs(pids.api) };
      const t0 = performance.now();
      const started = await Promise.all(Array.from({ length: runs }, (_, i) => post('/v1/runs', { workflow, input: { key: `k${i % keys}` } })));
      for (const s of started) if (s.status !== 201) throw new Error(`start answered ${s.status}`);
      await Promise.all(started.map((s) => ended(s.body.runId)));
      const ms = performance.now() - t0;
      cpu[tag] = { worker: cpuMs(pids.worker) - before.worker, server: cpuMs(pids.server) - before.server, api: cpuMs(pids.api) - before.api };
      return ms;
    };
    await burst('warm', s10('warm'));
    opts.log(`S10: ${runs} runs over ${keys} keys, limit 1, and without a key`);
    const unkeyedMs = await burst('unkeyed', s10('free'));
    const keyedMs = await burst('keyed', s10('keyed', { concurrency: { key: '{% $input.key %}', limit: 1 } }));
    const perKey = Array.from({ length: keys }, (_, k) =>
      mostAtOnce(target.requests.filter((r) => r.path.includes('tag=keyed&') && r.path.endsWith(`key=k${k}`))),
    );
    const bound = 1.2 * ((runs / keys) * delayMs + unkeyedMs - delayMs);
    figures.s10 = {
      runs,
      keys,
      delayMs,
      unkeyedMs: round(unkeyedMs),
      keyedMs: round(keyedMs),
      boundMs: round(bound),
      mostInFlightPerKey: Math.max(...perKey),
      cpuMs: { unkeyed: cpu.unkeyed, keyed: cpu.keyed },
    };
    rows.push({
      goal: `S10: ${runs} runs of a ${delayMs} ms graph over ${keys} keys, limit 1: ≤ 1 in flight per key; wall ≤ 1.2 × (${runs / keys} × ${delayMs} ms + unkeyed wall − ${delayMs} ms)`,
      measured:
        `${Math.max(...perKey)} in flight per key at most; wall ${round(keyedMs)} ms (unkeyed ${round(unkeyedMs)} ms; bound ${round(bound)} ms); ` +
        `CPU worker / dev server / API ${cpuText(cpu.keyed!)} keyed, ${cpuText(cpu.unkeyed!)} unkeyed`,
      met: Math.max(...perKey) <= 1 && keyedMs <= bound,
    });

    // Admission cost: starts without a key and with one, in alternating
    // rounds; first back to back (each run still running while the next
    // starts, as the goal has been measured from the start), then each after
    // the previous run ended (the start path alone).
    const rounds = opts.quick ? 2 : 8;
    const each = opts.quick ? 5 : 25;
    const plain = s10('cost');
    plain.nodes[1] = { id: 'call', type: 'set', data: { value: 1 } };
    const limited = { ...plain, settings: { concurrency: { key: '{% $input.key %}', limit: 10_000 } } };
    const costOf = async (apart: boolean) => {
      const samples = { without: [] as number[], with: [] as number[] };
      const runIds: string[] = [];
      for (let r = 0; r < rounds * 2; r++) {
        const which = r % 2 === 0 ? 'without' : 'with';
        for (let i = 0; i < each; i++) {
          const t0 = performance.now();
          const s = await post('/v1/runs', { workflow: which === 'with' ? limited : plain, input: { key: `k${i % 10}` } });
          samples[which].push(performance.now() - t0);
          if (s.status !== 201) throw new Error(`start answered ${s.status}`);
          runIds.push(s.body.runId);
          if (apart) await ended(s.body.runId);
        }
      }
      await Promise.all(runIds.map((id) => ended(id)));
      return { without: round(quantile(samples.without, 0.5)), with: round(quantile(samples.with, 0.5)) };
    };
    const busy = await costOf(false);
    const apart = await costOf(true);
    figures.admissionCost = { starts: rounds * each, busy, apart };
    rows.push({
      goal: 'admission cost: start latency p50 with a concurrency key ≤ 1.2 × without (back to back: runs overlap)',
      measured: `${busy.with} ms with, ${busy.without} ms without (${round(busy.with / busy.without, 2)}×)`,
      met: busy.with <= 1.2 * busy.without,
    });
    rows.push({
      goal: 'the same, each start after the previous run ended',
      measured: `${apart.with} ms with, ${apart.without} ms without (${round(apart.with / apart.without, 2)}×)`,
      met: apart.with <= 1.2 * apart.without,
    });

    // The floor under the admission cost: one Update-with-Start on a running
    // admission workflow against one start, straight through the client,
    // one at a time, with nothing else running.
    const floor = { update: [] as number[], start: [] as number[] };
    const policy = { kind: 'concurrency' as const, key: '{% $input.key %}', limit: 10_000, onLimit: 'queue' as const };
    for (let i = 0; i < (opts.quick ? 10 : 60); i++) {
      let t0 = performance.now();
      const admitted = await admitter.admitOne(`floor-${i}`, 'default', 'floor', policy, { key: `k${i % 10}` });
      floor.update.push(performance.now() - t0);
      t0 = performance.now();
      await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: `floor-${i}`,
        ...runStartOptions({ definition: plain, name: 'floor', input: null }),
      });
      floor.start.push(performance.now() - t0);
      await ended(`floor-${i}`);
      await admitter.releaseTaken(`floor-${i}`, [admitted]);
    }
    figures.admissionFloor = { samples: floor.update.length, p50: { update: round(quantile(floor.update, 0.5)), start: round(quantile(floor.start, 0.5)) } };

    // Debounce
    const bursts = opts.quick ? 2 : 10;
    const perBurst = opts.quick ? 20 : 100;
    await put('/v1/workflows/debounced', hook({ debounce: { key: '{% $input.user %}', period: '1s' } }));
    opts.log(`debounce: ${bursts} bursts of ${perBurst}`);
    const joined: { runId: string; last: number }[] = [];
    for (let b = 0; b < bursts; b++) {
      let runId = '';
      for (let i = 0; i < perBurst; i++) runId = (await post('/v1/hooks/debounced', { user: 'u1', burst: b, n: i })).body.runId;
      joined.push({ runId, last: perBurst - 1 });
      await new Promise((r) => setTimeout(r, 1_500));
    }
    const debouncedRuns = new Set(joined.map((j) => j.runId));
    const inputs = await Promise.all(joined.map((j) => inputOf(j.runId)));
    const lastOfEach = inputs.every((input, b) => (input as { burst: number; n: number }).burst === b && (input as { n: number }).n === perBurst - 1);
    figures.debounce = { deliveries: bursts * perBurst, runs: debouncedRuns.size, lastOfEach };
    rows.push({
      goal: `debounce: ${bursts * perBurst} deliveries in ${bursts} bursts of one key, period 1 s: exactly ${bursts} runs, each with its burst's last delivery`,
      measured: `${debouncedRuns.size} runs; each with its burst's last delivery: ${lastOfEach ? 'yes' : 'no'}`,
      met: debouncedRuns.size === bursts && lastOfEach,
    });

    // Batch
    const deliveries = opts.quick ? 100 : 1_000;
    const maxSize = deliveries / 10;
    await put('/v1/workflows/batched', hook({ batch: { key: 'all', maxSize, timeout: '30s' } }));
    opts.log(`batch: ${deliveries} deliveries, maxSize ${maxSize}`);
    const batchIds = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < deliveries) batchIds.add((await post('/v1/hooks/batched', { n: next++ })).body.runId);
      }),
    );
    const items = (await Promise.all([...batchIds].map((id) => inputOf(id)))).flatMap((input) => (input as { items: { n: number }[] }).items.map((i) => i.n));
    const distinct = new Set(items).size;
    figures.batch = { deliveries, maxSize, runs: batchIds.size, items: items.length, distinct };
    rows.push({
      goal: `batch: ${deliveries} deliveries, maxSize ${maxSize}: exactly 10 runs, ${deliveries} items, none twice`,
      measured: `${batchIds.size} runs, ${items.length} items, ${distinct} distinct`,
      met: batchIds.size === 10 && items.length === deliveries && distinct === deliveries,
    });
  } finally {
    await Promise.all([stack.stop(), target.close()]);
    await client.connection.close();
  }
  const date = new Date().toISOString();
  const name = opts.quick ? 'flow-control-quick' : 'flow-control';
  writeFileSync(
    join(opts.outDir, `${name}.json`),
    `${JSON.stringify({ name: 'flow-control', date, quick: opts.quick, observed: 'client', figures, rows }, null, 2)}\n`,
  );
  const floor = figures.admissionFloor as { samples: number; p50: { update: number; start: number } } | undefined;
  const md = [
    `${date}. ${cpus().length} cores. \`npm start\` (its dev server, its worker process, the API with its SQLite file) and a local HTTP target on loopback. Client-observed.`,
    '',
    '| goal | measured | met |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.goal} | ${r.measured} | ${r.met ? 'yes' : 'no'} |`),
    ...(floor
      ? [
          '',
          `Under the admission cost, through the client with nothing else running (${floor.samples} of each): ` +
            `one Update-with-Start on a running admission workflow p50 ${floor.p50.update} ms, one run start p50 ${floor.p50.start} ms ` +
            `(${round(floor.p50.update / floor.p50.start, 2)}×).`,
        ]
      : []),
  ].join('\n');
  writeFileSync(join(opts.outDir, `${name}.md`), `${md}\n`);
  return md;
}

/** A saved workflow with one webhook trigger (its data as given) and one node that echoes its input. */
function hook(data: Record<string, unknown>): GraphDefinition {
  return {
    nodes: [
      { id: 'start', type: 'trigger', data: { kind: 'webhook', ...data } },
      { id: 'echo', type: 'set', data: { value: '{% $input %}' } },
    ],
    edges: [{ source: 'start', target: 'echo' }],
  };
}
