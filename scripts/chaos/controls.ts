/**
 * Pauses and resumes in the chaos run: a share of the accepted runs is
 * paused a moment after it starts and resumed a little later, through the
 * API, retried through outages as any client would. A pause must change no
 * outcome (the reference check still holds for these runs), and every pause
 * the API accepted must be followed by a resume it accepted, or by the
 * run's end.
 */
import { stackAuth } from '../../test/helpers/stack-token';
import type { Dice } from './graphs';
import { retryDelay } from './retry';

export interface ControlTally {
  paused: number;
  resumed: number;
  /** Runs paused whose resume was never accepted (and that had not ended). */
  stuck: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POSTs until the API answers for the run (202, or 409 when the run ended or is not paused); gives up after `untilMs`. */
async function control(api: () => string, runId: string, action: 'pause' | 'resume', untilMs: number): Promise<number | undefined> {
  for (let attempt = 0; Date.now() < untilMs; attempt++) {
    const res = await fetch(`${api()}/v1/runs/${encodeURIComponent(runId)}/${action}`, { method: 'POST', headers: stackAuth }).catch(() => undefined);
    if (res && (res.status === 202 || res.status === 409)) return res.status;
    await sleep(retryDelay(attempt, res));
  }
  return undefined;
}

export function createControls(api: () => string, dice: Dice, share = 0.15) {
  const tally: ControlTally = { paused: 0, resumed: 0, stuck: [] };
  const pending: Promise<void>[] = [];
  return {
    tally,
    /** Maybe pauses the run, then resumes it. */
    maybe(runId: string): void {
      if (!dice.chance(share)) return;
      const pauseIn = dice.int(0, 400);
      const holdFor = dice.int(200, 1_500);
      pending.push(
        (async () => {
          await sleep(pauseIn);
          const until = Date.now() + 120_000;
          if ((await control(api, runId, 'pause', until)) !== 202) return; // ended first
          tally.paused++;
          await sleep(holdFor);
          const answer = await control(api, runId, 'resume', until);
          if (answer === 202) tally.resumed++;
          else if (answer === undefined) tally.stuck.push(runId);
          else tally.resumed++; // 409: it ended (all it had left had finished) or a resume before this one went through
        })(),
      );
    },
    settled: () => Promise.all(pending),
    /** The `resumed` line, and a violation for each run paused whose resume was never accepted. */
    report: () => ({
      lines: [
        `${tally.stuck.length ? '✗' : '✓'} resumed: ${tally.paused} run(s) paused by the API, ${tally.resumed} resumed (or ended), every one reached its reference end`,
      ],
      violations: tally.stuck.map((runId) => ({ invariant: 'resumed', runId, detail: 'paused, and no resume was accepted' })),
    }),
  };
}
