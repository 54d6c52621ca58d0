/**
 * `npm run chaos -- --seed <n> --minutes <m>`: Braid under random faults.
 *
 * Starts its own stack as split processes (Temporal server, two workers, the
 * API) and a local HTTP target. For `minutes` it starts random valid graphs
 * (scripts/chaos/graphs.ts, from the seed) through the API at a steady rate
 * and, at random moments, SIGKILLs a worker, the API or the Temporal server
 * and restarts it. Then, for every accepted run, it checks:
 *   terminal        the run reached a terminal state;
 *   reference       its node statuses (and its own) equal the pure scheduler's
 *                   for the same outcomes (fail-fast runs that failed: every
 *                   node that finished, finished as the reference says);
 *   reached         every http node that succeeded reached the target;
 *   at-most-once    a node reached the target more than once only if a worker
 *                   or the server was killed between its first and last
 *                   request (counted; a kill's window runs until the dead
 *                   process's requests are all stamped, scripts/chaos/faults.ts);
 *   skipped         no skipped node reached the target;
 *   no-loss         every accepted run exists, none was started twice.
 * One line per invariant; exit 1 on any violation, with the seed and the runs
 * to replay written to bench/results/chaos-violations.json.
 *
 * `npm run chaos -- --scenarios` runs the scripted fault scenarios instead
 * (scripts/chaos-scenarios.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { temporalTlsConfig } from '../src/temporal/connection';
import type { ChaosCase } from './chaos/graphs';
import { Dice, randomCase } from './chaos/graphs';
import type { Fault as ChaosFault } from './chaos/faults';
import { killWindow } from './chaos/faults';
import { deadlineTrail, taskTrail } from './chaos/history';
import { startChaosTarget } from './chaos/target';
import type { RunView } from '../src/runs/run-store';
import { check, summary, type Violation } from './chaos/invariants';
import { redriveShare } from './chaos/redrive';
import { createControls } from './chaos/controls';
import type { DeadlineEnd } from './chaos/flow';
import { createFlowChaos, ENDED as TERMINAL } from './chaos/flow';
import { stackAuth } from '../test/helpers/stack-token';
import { clusterChaosStack, splitChaosStack } from './chaos/stacks';
import { retryDelay } from './chaos/retry';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '1' },
    rate: { type: 'string', default: '2' },
    scenarios: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
  },
});

const log = (msg: string) => process.stdout.write(`[chaos] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Fault = ChaosFault<string>;

async function main() {
  const seed = Number(values.seed);
  const minutes = Number(values.minutes);
  const perSecond = Number(values.rate);
  if (!Number.isInteger(seed) || !(minutes > 0) || !(perSecond > 0))
    throw new Error('usage: npm run chaos -- --seed <integer> --minutes <m> [--rate <runs per second>]');
  const dice = new Dice(xoroshiro128plus(seed));
  const target = await startChaosTarget();
  // Faults come from their own stream, so the graphs of a seed do not depend on timing.
  const faultDice = new Dice(xoroshiro128plus(seed ^ 0x5eed));
  const stack = values.cluster ? clusterChaosStack(log) : await splitChaosStack();
  // Pauses and resumes from a stream of their own too.
  const controls = createControls(() => stack.api(), new Dice(xoroshiro128plus(seed ^ 0xc0de)));
  const flow = createFlowChaos(() => stack.api(), new Dice(xoroshiro128plus(seed ^ 0xf10e)), target, seed);
  const faults: Fault[] = [];
  const cases = new Map<string, ChaosCase>();
  const accepted = new Set<string>();
  const refused: { runId: string; status: number; body: string }[] = [];
  const starting: Promise<void>[] = [];
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  log(`seed ${seed}, ${minutes} min, ${perSecond} run(s)/s, stack: ${stack.describe}`);
  try {
    await stack.startAll();
    await flow.setup();
    // Which process was which part, to read worker identities (pid@host) in histories.
    const pids = new Map<number, string>();
    const notePid = (part: string) => {
      const pid = stack.pid(part);
      if (pid) pids.set(pid, `${part} (started +${((Date.now() - started) / 1000).toFixed(1)} s)`);
    };
    for (const part of stack.workers) notePid(part);

    // Start one run, retrying through API outages with the same run id (an idempotency key).
    const startRun = async (c: ChaosCase) => {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${stack.api()}/v1/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...stackAuth },
          body: JSON.stringify({ runId: c.runId, workflow: c.definition, input: c.input }),
        }).catch(() => undefined);
        if (res?.status === 201 || res?.status === 409) {
          if (!accepted.has(c.runId)) controls.maybe(c.runId);
          accepted.add(c.runId);
          return;
        }
        if (res && res.status < 500 && res.status !== 429) {
          refused.push({ runId: c.runId, status: res.status, body: await res.text() });
          return;
        }
        await sleep(retryDelay(attempt, res));
      }
    };

    const faulting = (async () => {
      while (Date.now() < endAt) {
        await sleep(faultDice.int(6_000, 15_000));
        if (Date.now() >= endAt) break;
        const part = faultDice.weighted(stack.weights);
        const { at, settled } = await killWindow(() => stack.kill(part));
        await sleep(faultDice.int(500, 3_000));
        await stack.restart(part);
        notePid(part);
        faults.push({ part, at, settled, back: Date.now() });
        log(`killed ${part} at +${((at - started) / 1000).toFixed(1)} s, restarted after ${((Date.now() - at) / 1000).toFixed(1)} s`);
      }
    })();

    for (let i = 0; Date.now() < endAt; i++) {
      const c = randomCase(dice, `chaos-${seed}-${i}`, target.url);
      cases.set(c.runId, c);
      starting.push(startRun(c));
      flow.tick();
      await sleep(1000 / perSecond);
    }
    await faulting;
    log(`${cases.size} runs generated; waiting for starts and runs to finish`);
    await Promise.race([Promise.all(starting).then(controls.settled), sleep(120_000)]);

    // Every accepted run to a terminal state (bounded).
    const views = new Map<string, RunView>();
    const deadline = Date.now() + 5 * 60_000;
    for (const runId of accepted) {
      for (;;) {
        const res = await fetch(`${stack.api()}/v1/runs/${encodeURIComponent(runId)}`, { headers: stackAuth }).catch(() => undefined);
        const view = res?.status === 200 ? ((await res.json()) as RunView) : undefined;
        if (view && TERMINAL.has(view.status)) {
          views.set(runId, view);
          break;
        }
        if (Date.now() > deadline) break;
        await sleep(250);
      }
    }

    // Listing: every accepted run once.
    const listed = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const res = await fetch(`${stack.api()}/v1/runs?workflow=chaos&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers: stackAuth }).catch(
        () => undefined,
      );
      if (res?.status !== 200) {
        await sleep(500); // a part still coming back: ask again
        continue;
      }
      const page = (await res.json()) as { runs: { runId: string }[]; nextCursor: string | null };
      for (const r of page.runs) listed.set(r.runId, (listed.get(r.runId) ?? 0) + 1);
      cursor = page.nextCursor;
    } while (cursor);

    const report = check({ cases, accepted, views, listed, refused, faults, hits: target.hits });
    // Temporal itself, for what the API does not say: when a run was accepted, and histories.
    const connection = await Connection.connect({ address: stack.temporal(), tls: temporalTlsConfig(stack.temporalTls?.()) });
    const client = new Client({ connection });
    const flowReport = await flow.finish(faults, (runId) =>
      client.workflow
        .getHandle(runId)
        .describe()
        .then((d) => d.startTime.getTime()),
    );
    for (const part of [controls.report(), flowReport]) {
      report.violations.push(...part.violations);
      report.lines.push(...part.lines);
    }
    // Redrive a share of the failed runs: what a redrive reuses must never reach the target again.
    const redrives = await redriveShare(stack.api(), views, target.hits);
    report.violations.push(...redrives.violations);
    report.lines.push(
      `${redrives.violations.some((v) => v.invariant === 'reused-silent' || v.invariant === 'redrive') ? '✗' : '✓'} redrive: ${redrives.redriven} failed run(s) redriven, ${redrives.reusedNodes} reused node(s) never reached the target again`,
    );
    await traceDuplicates(client, report.violations, target.hits, pids).catch((err: Error) => log(`could not read histories: ${err.message}`));
    await traceLateDeadlines(client, flowReport.unexplained, pids, report.lines).catch((err: Error) => log(`could not read histories: ${err.message}`));
    await connection.close();
    const lines = [
      `chaos seed ${seed}, ${minutes} min: ${cases.size} runs generated, ${accepted.size} accepted, ${report.httpNodes} http nodes; faults: ${summary(faults)}`,
      ...report.lines,
    ];
    for (const l of lines) process.stdout.write(`${l}\n`);
    for (const v of report.violations.slice(0, 20)) process.stdout.write(`  ✗ ${v.invariant} ${v.runId}: ${v.detail}\n`);
    const outDir = resolve(__dirname, '..', 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const result = { seed, minutes, date: new Date().toISOString(), runs: cases.size, accepted: accepted.size, faults, lines, violations: report.violations };
    if (report.violations.length > 0) {
      writeFileSync(
        join(outDir, 'chaos-violations.json'),
        `${JSON.stringify({ ...result, replay: report.violations.map((v) => ({ ...v, case: cases.get(v.runId) })) }, null, 2)}\n`,
      );
      process.stdout.write(
        `${report.violations.length} violation(s); replay with: npm run chaos -- --seed ${seed} --minutes ${minutes} (runs and graphs in bench/results/chaos-violations.json)\n`,
      );
      process.exitCode = 1;
    }
    writeFileSync(
      join(outDir, `chaos-${values.cluster ? 'cluster-' : ''}seed-${seed}.json`),
      `${JSON.stringify({ stack: stack.describe, ...result }, null, 2)}\n`,
    );
  } finally {
    await stack.stop();
    await target.close();
  }
}

/**
 * For each duplicate no crash explains, the run's workflow and activity task
 * events around its requests (with worker pids named), appended to the
 * violation, so a long run tells a redelivered task from a Braid bug.
 */
async function traceDuplicates(client: Client, violations: Violation[], hits: (runId: string, nodeId: string) => number[], pids: Map<number, string>) {
  const name = partNames(pids);
  for (const v of violations.filter((x) => x.invariant === 'at-most-once')) {
    const times = hits(v.runId, v.nodeId!);
    const trail = await taskTrail(client, v.runId, times[0]!, times.at(-1)!).catch((err: Error) => ({
      troubled: 0,
      lines: [`history unreadable: ${err.message}`],
    }));
    v.detail += `\n    history (relative to the first request):\n${trail.lines.map((l) => `      ${name(l)}`).join('\n')}`;
  }
}

/** Replaces `by <pid>@host` in a history line with the part that pid was (worker, worker2, …). */
const partNames = (pids: Map<number, string>) => (line: string) =>
  line.replace(/by (\d+)@\S+/, (_all, pid: string) => `by ${pids.get(Number(pid)) ?? `pid ${pid}`}`);

/**
 * Each deadline that ended more than 2 s late with no part down, under the
 * report's lines: its run's events relative to the deadline (the timer, the
 * workflow tasks, the running node's cancellation, the release), so the next
 * reader sees where the time went.
 */
async function traceLateDeadlines(client: Client, late: readonly DeadlineEnd[], pids: Map<number, string>, out: string[]) {
  const name = partNames(pids);
  for (const e of late.slice(0, 10)) {
    out.push(`    ${e.runId}, ${e.ended - e.due} ms late with no part down; its history relative to its deadline:`);
    for (const line of await deadlineTrail(client, e.runId, e.due)) out.push(`      ${name(line)}`);
  }
}

if (values.scenarios) {
  void import('./chaos-scenarios');
} else {
  main().catch((err) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  });
}
