/**
 * `npm run load [-- --runs N]`: N runs (default 1,000) started at once through
 * the API. Starts its own Braid (split processes, rate limit off) unless
 * API_URL points at a running one (send API_TOKEN if it needs one). Every
 * accepted run must reach a terminal state: counts lost and duplicated runs.
 */
import { startSplitStack } from '../test/helpers/split-stack';
import { stackAuth } from '../test/helpers/stack-token';

const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 1000;
let API = process.env.API_URL ?? '';
// A stack it starts itself uses the loopback stacks' token; a running one, API_TOKEN.
const headers: Record<string, string> = {
  'content-type': 'application/json',
  ...(process.env.API_TOKEN ? { authorization: `Bearer ${process.env.API_TOKEN}` } : process.env.API_URL ? {} : stackAuth),
};

async function main() {
  const stack = API ? undefined : await startSplitStack({ RATE_LIMIT_PER_MINUTE: '0' });
  try {
    if (stack) {
      await stack.startAll();
      API = stack.api;
    }
    await load();
  } finally {
    await stack?.stop();
  }
}

async function load() {
  const prefix = `load-${Date.now()}`;
  const workflow = {
    name: prefix,
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'echo', type: 'set', data: { value: '{% $input %}' } },
    ],
    edges: [{ source: 'start', target: 'echo' }],
  };
  const t0 = performance.now();
  const latencies: number[] = [];
  const codes: Record<number, number> = {};
  const accepted: string[] = [];
  await Promise.all(
    Array.from({ length: RUNS }, async (_, i) => {
      const runId = `${prefix}-${i}`;
      const t = performance.now();
      const res = await fetch(`${API}/v1/runs`, { method: 'POST', headers, body: JSON.stringify({ workflow, input: { i }, runId }) });
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      codes[res.status] = (codes[res.status] ?? 0) + 1;
      if (res.status === 201) accepted.push(runId);
    }),
  );
  const startedMs = performance.now() - t0;
  const terminal = new Set<string>();
  const deadline = Date.now() + 300_000;
  while (terminal.size < accepted.length && Date.now() < deadline) {
    const pending = accepted.filter((id) => !terminal.has(id));
    for (let i = 0; i < pending.length; i += 50) {
      await Promise.all(
        pending.slice(i, i + 50).map(async (id) => {
          const r = await fetch(`${API}/v1/runs/${id}`, { headers });
          if (r.status === 200 && ((await r.json()) as { status: string }).status !== 'running') terminal.add(id);
        }),
      );
    }
  }
  let listed = 0;
  for (let cursor: string | null = ''; cursor !== null;) {
    const page = (await (await fetch(`${API}/v1/runs?workflow=${prefix}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers })).json()) as {
      runs: unknown[];
      nextCursor: string | null;
    };
    listed += page.runs.length;
    cursor = page.nextCursor;
  }
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!.toFixed(1);
  const report = {
    runs: RUNS,
    statusCodes: codes,
    accepted: accepted.length,
    terminal: terminal.size,
    lost: accepted.length - terminal.size,
    duplicated: Math.max(0, listed - accepted.length),
    listed,
    startLatencyMs: { p50: p(0.5), p99: p(0.99) },
    allStartedMs: Math.round(startedMs),
    allTerminalMs: Math.round(performance.now() - t0),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (report.lost > 0 || report.duplicated > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
