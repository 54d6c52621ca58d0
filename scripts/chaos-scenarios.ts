/**
 * `npm run chaos -- --scenarios`: the fault scenarios with split processes, with figures.
 * Worker SIGKILL mid-run; Temporal server SIGKILL mid-run and restart; the API
 * facing a Temporal server that is down, then back. Writes
 * bench/results/chaos.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FaultReport } from '../test/helpers/fault-scenarios';
import { listedRunIds, runWithCrash } from '../test/helpers/fault-scenarios';
import { startHttpTarget } from '../test/helpers/http-target';
import { startSplitStack } from '../test/helpers/split-stack';
import { stackAuth } from '../test/helpers/stack-token';

async function main() {
  const target = await startHttpTarget();
  const stack = await startSplitStack();
  const reports: FaultReport[] = [];
  const outage: Record<string, unknown> = {};
  try {
    await stack.startAll();

    reports.push(
      await runWithCrash(
        stack,
        target,
        'worker-crash',
        () => stack.kill('worker'),
        async () => void (await stack.start('worker')),
      ),
    );
    reports.push(
      await runWithCrash(
        stack,
        target,
        'server-restart',
        () => stack.kill('temporal'),
        async () => void (await stack.start('temporal')),
      ),
    );
    const listed = await listedRunIds(stack);
    outage.earlierRunsListedAfterRestart = reports.every((r) => listed.includes(r.runId));

    // Temporal down at the API: count answers by status while it is down, then after it is back.
    await stack.kill('temporal');
    const codes: Record<string, number> = {};
    const body = JSON.stringify({ workflow: { name: 'outage', nodes: [{ id: 'start', type: 'trigger' }] } });
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${stack.api}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json', ...stackAuth }, body });
      codes[res.status] = (codes[res.status] ?? 0) + 1;
    }
    outage.whileDown = codes;
    await stack.start('temporal');
    const t0 = Date.now();
    let accepted = 0;
    const acceptedIds: string[] = [];
    for (let i = 0; i < 200 && accepted < 5; i++) {
      const res = await fetch(`${stack.api}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json', ...stackAuth }, body });
      if (res.status === 201) {
        accepted++;
        acceptedIds.push(((await res.json()) as { runId: string }).runId);
      } else await new Promise((r) => setTimeout(r, 250));
    }
    outage.serviceBackAfterMs = Date.now() - t0;
    outage.acceptedAfterRecovery = accepted;
    await new Promise((r) => setTimeout(r, 3000));
    const statuses = await Promise.all(
      acceptedIds.map(async (id) => ((await (await fetch(`${stack.api}/v1/runs/${id}`, { headers: stackAuth })).json()) as { status: string }).status),
    );
    outage.acceptedRunsSucceeded = statuses.filter((s) => s === 'succeeded').length;
  } finally {
    await stack.stop();
    await target.close();
  }
  const out = resolve(__dirname, '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'chaos.json'), `${JSON.stringify({ date: new Date().toISOString(), reports, outage }, null, 2)}\n`);
  const lines = [
    '| scenario | run status | completed before crash (each requested once?) | in flight at crash (≤ 2 requests?) | requests per node | recovery s | total s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    lines.push(
      `| ${r.scenario} | ${r.status} | ${r.completedBeforeCrash.join(' ')} (${r.completedOnce ? 'yes' : 'NO'}) | ${r.inFlightAtCrash.join(' ')} (${r.inFlightAtMostTwice ? 'yes' : 'NO'}) | ${Object.values(r.requestsPerNode).join(' ')} | ${(r.recoveryMs / 1000).toFixed(1)} | ${(r.totalMs / 1000).toFixed(1)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\nTemporal down at the API: ${JSON.stringify(outage)}\n`);
  const ok =
    reports.every((r) => r.status === 'succeeded' && r.completedOnce && r.inFlightAtMostTwice) &&
    !String(Object.keys(outage.whileDown as object)).includes('500');
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
