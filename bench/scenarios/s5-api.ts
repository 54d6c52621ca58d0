/**
 * S5: the API as its own process (`npm run api`). Start latency under
 * concurrent clients (POST → 201, client-observed), and a burst of runs
 * started at once: none lost, none duplicated.
 */
import { freePort } from '../../src/temporal/free-port';
import type { BenchContext } from '../context';
import { TASK_QUEUE } from '../context';
import { tiny } from '../graphs';
import { quantile, round } from '../stats';
import { startApiProcess } from '../watching';
import { stackAuth } from '../../test/helpers/stack-token';

export async function apiScenario(ctx: BenchContext): Promise<void> {
  const { log, server } = ctx;
  log('S5: the API');
  const apiProcess = await startApiProcess(server.address, TASK_QUEUE, await freePort());
  try {
    await startLatency(ctx, apiProcess.url);
  } finally {
    apiProcess.stop();
  }
}

async function startLatency(ctx: BenchContext, api: string): Promise<void> {
  const { quick, client, results, table, goals } = ctx;
  const startRun = async (runId: string) => {
    const t0 = performance.now();
    const res = await fetch(`${api}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stackAuth },
      body: JSON.stringify({ workflow: tiny(), input: { runId }, runId }),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  };
  const S5: Record<string, unknown> = {};
  table.push('| S5 API (its own process; POST → 201, client-observed) | p50 ms | p99 ms | result |', '|---|---|---|---|');
  // The same starts straight through the Temporal client (no API): what the API adds to each.
  const startDirect = async (runId: string) => {
    const t0 = performance.now();
    await client.workflow.start('graphWorkflow', { taskQueue: TASK_QUEUE, workflowId: runId, args: [{ definition: tiny(), input: { runId } }] });
    return { ms: performance.now() - t0, status: 201 };
  };
  const measure = async (clients: number, perClient: number, start: typeof startRun, label: string) => {
    const lat: number[] = [];
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; i < perClient; i++) lat.push((await start(`${label}-${clients}-${c}-${i}-${Date.now()}`)).ms);
      }),
    );
    return { requests: lat.length, p50: round(quantile(lat, 0.5)), p99: round(quantile(lat, 0.99)) };
  };
  // Both paths warm (connections, JIT) before they are measured.
  for (let i = 0; i < 10; i++) await Promise.all([startRun(`warm-api-${i}-${Date.now()}`), startDirect(`warm-direct-${i}-${Date.now()}`)]);
  for (const clients of quick ? [50] : [50, 200]) {
    const perClient = quick ? 4 : 10;
    const cpu0 = await apiCpuSeconds(api);
    const viaApi = await measure(clients, perClient, startRun, 'lat');
    const cpuMsPerStart = round((((await apiCpuSeconds(api)) - cpu0) * 1000) / viaApi.requests, 2);
    const direct = await measure(clients, perClient, startDirect, 'direct');
    S5[`clients${clients}`] = { ...viaApi, apiCpuMsPerStart: cpuMsPerStart, temporalClient: direct };
    table.push(
      `| start latency, ${clients} concurrent clients | ${viaApi.p50} | ${viaApi.p99} | ${viaApi.requests} starts; the API process's CPU ${cpuMsPerStart} ms per start (its process_cpu_seconds_total) |`,
    );
    table.push(`| the same starts with the Temporal client, no API (same run) | ${direct.p50} | ${direct.p99} | ${direct.requests} starts |`);
    if (clients === 50) {
      goals.push({
        scenario: 'start latency, 50 concurrent clients, API as its own process',
        goal: 'p99 ≤ 200 ms',
        measured: `p99 ${viaApi.p99} ms (p50 ${viaApi.p50}; API CPU ${cpuMsPerStart} ms per start); the Temporal client alone: p99 ${direct.p99} ms (p50 ${direct.p50})`,
        met: viaApi.p99 <= 200,
      });
    }
  }
  const burst = quick ? 50 : 1000;
  const prefix = `burst-${Date.now()}`;
  const t0 = performance.now();
  const codes = await Promise.all(Array.from({ length: burst }, (_, i) => startRun(`${prefix}-${i}`).then((r) => r.status)));
  const accepted = codes.filter((c) => c === 201).length;
  let terminal = 0;
  // "Lost" means not terminal after 10 minutes: far past when they all finish.
  const deadline = Date.now() + 600_000;
  const ids = Array.from({ length: burst }, (_, i) => `${prefix}-${i}`);
  const done = new Set<string>();
  while (done.size < accepted && Date.now() < deadline) {
    await Promise.all(
      ids
        .filter((id) => !done.has(id))
        .slice(0, 200)
        .map(async (id) => {
          const d = await client.workflow
            .getHandle(id)
            .describe()
            .catch(() => undefined);
          if (d && d.status.name !== 'RUNNING') done.add(id);
        }),
    );
    // Polling must not become the load it measures.
    if (done.size < accepted) await new Promise((r) => setTimeout(r, 500));
  }
  terminal = done.size;
  const listed = await client.workflow.count(`WorkflowId STARTS_WITH '${prefix}'`).catch(() => ({ count: -1 }));
  S5.burst = {
    runs: burst,
    accepted,
    terminal,
    lost: accepted - terminal,
    duplicated: Math.max(0, listed.count - burst),
    allTerminalMs: round(performance.now() - t0),
    statusCodes: [...new Set(codes)],
  };
  table.push(
    `| ${burst} runs started at once | — | — | ${accepted} accepted, ${terminal} terminal, lost ${accepted - terminal}, duplicated ${Math.max(0, listed.count - burst)}, all done in ${round((performance.now() - t0) / 1000, 1)} s |`,
    '',
  );
  results.S5 = S5;
}

/** The API process's own CPU time so far, from its /metrics. */
async function apiCpuSeconds(api: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`, { headers: stackAuth })).text();
  const line = /^process_cpu_seconds_total (\S+)$/m.exec(text);
  if (!line) throw new Error('the API process reports no process_cpu_seconds_total');
  return Number(line[1]);
}
