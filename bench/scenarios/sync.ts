/**
 * Synchronous runs: the S1 graph started through the API (`npm run api` as its
 * own process) with `Prefer: wait=60`, timed from POST to the answer carrying
 * the finished run (client-observed), against the hand-written Temporal
 * workflow's start → result in the same run (with remote and with local
 * activities), the first run after the API
 * is up against the next ones, and the wide local fan-out (1,000 siblings;
 * 100 with --quick) from POST to its finished state.
 */
import { freePort } from '../../src/temporal/free-port';
import type { BenchContext } from '../context';
import { TASK_QUEUE } from '../context';
import { fanOut } from '../graphs';
import { round, stats } from '../stats';
import { postAndWait, startApiProcess } from '../watching';

export async function syncScenario(ctx: BenchContext): Promise<void> {
  const { base, reps, quick, log, server, runHand, results, table, goals } = ctx;
  log('Synchronous runs: S1 through the API with Prefer: wait');
  const api = await startApiProcess(server.address, TASK_QUEUE, await freePort());
  try {
    const post = async (execution: 'activity' | 'local', workflow = fanOut(base, 5, 100, 200, 'parallel', execution)) =>
      (await postAndWait(api.url, '/v1/runs', { workflow })).ms;
    // The first run after the API is up, then the rest.
    const first = await post('local');
    const m = { local: [] as number[], activity: [] as number[], hand: [] as number[], handLocal: [] as number[] };
    for (let i = 0; i < reps; i++) {
      m.local.push(await post('local'));
      m.activity.push(await post('activity'));
      m.hand.push(await runHand('handFanOut', [base, 100, 5, 200]));
      m.handLocal.push(await runHand('handFanOutLocal', [base, 100, 5, 200]));
    }
    // The wide local fan-out, client-observed: POST → the finished run in the answer.
    const width = quick ? 100 : 1000;
    const wide: number[] = [];
    const wideHand: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      wide.push(await post('local', fanOut(base, width, 0, 50, 'parallel', 'local')));
      wideHand.push(await runHand('handWide', [base, width, 50]));
    }
    const s = {
      local: stats(m.local),
      activity: stats(m.activity),
      hand: stats(m.hand),
      handLocal: stats(m.handLocal),
      wide: stats(wide),
      wideHand: stats(wideHand),
    };
    const firstRatio = round(first / stats(m.local.slice(0, 5)).median, 2);
    results.sync = { criticalPathMs: 300, firstMs: round(first), firstOverNext: firstRatio, ...s };
    table.push(
      '| S1 with `Prefer: wait` (POST → finished run, client-observed; API as its own process) | median ms | p95 ms | × critical path (300 ms) |',
      '|---|---|---|---|',
    );
    table.push(`| Braid, execution local | ${round(s.local.median)} | ${round(s.local.p95)} | ${round(s.local.median / 300, 3)} |`);
    table.push(`| Braid, activities | ${round(s.activity.median)} | ${round(s.activity.p95)} | ${round(s.activity.median / 300, 3)} |`);
    table.push(
      `| hand-written Temporal workflow, start → result (same run) | ${round(s.hand.median)} | ${round(s.hand.p95)} | ${round(s.hand.median / 300, 3)} |`,
    );
    table.push(
      `| hand-written with local activities, start → result (same run) | ${round(s.handLocal.median)} | ${round(s.handLocal.p95)} | ${round(s.handLocal.median / 300, 3)} |`,
    );
    table.push(`| first run after the API is up (local) | ${round(first)} | | ${firstRatio}× the next five |`);
    table.push(
      `| ${width}-wide × 50 ms, execution local | ${round(s.wide.median)} | ${round(s.wide.p95)} | hand-written (activities, start → result): ${round(s.wideHand.median)} ms |`,
      '',
    );
    goals.push({
      scenario: 'S1 local with Prefer: wait, client-observed',
      goal: 'median ≤ 330 ms',
      measured: `${round(s.local.median)} ms (hand-written with local activities, no API: ${round(s.handLocal.median)} ms)`,
      met: s.local.median <= 330,
    });
    goals.push({
      scenario: 'S1 activities with Prefer: wait, client-observed',
      goal: '≤ hand-written start → result',
      measured: `${round(s.activity.median)} vs ${round(s.hand.median)} ms`,
      met: s.activity.median <= s.hand.median,
    });
    goals.push({ scenario: 'first run after the API is up', goal: '≤ 1.1× the next five', measured: `${firstRatio}×`, met: firstRatio <= 1.1 });
    if (!quick)
      goals.push({
        scenario: '1,000-wide × 50 ms local, client-observed (Prefer: wait)',
        goal: '≤ 2.0 s',
        measured: `${round(s.wide.median)} ms`,
        met: s.wide.median <= 2000,
      });
  } finally {
    api.stop();
  }
}
