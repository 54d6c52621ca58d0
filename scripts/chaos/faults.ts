/**
 * When a fault happened, as the chaos target's clock can see it.
 *
 * The target timestamps a request when its handler runs, in the runner's own
 * event loop. A request a worker sent just before its SIGKILL can sit in a
 * socket until the loop gets to it, and so be stamped after the kill. A
 * 20-minute run reported six duplicates with no kill between their requests,
 * in runs started seconds from worker kills. test/chaos/fault-window.test.ts
 * reproduces the race: a child killed while it sends has requests stamped
 * milliseconds after the kill.
 *
 * So a fault is a window: `at` is taken just before the signal, `settled`
 * once the process is reaped (nothing more can leave it) and the loop has
 * turned at least 10 times and 50 ms have passed. Requests already in a
 * socket are stamped within a few turns (up to 3 in the test's rounds: accept,
 * read, parse); the margin covers a loop slowed by load, since turns slow down
 * with it.
 */
export interface Fault<P extends string = string> {
  part: P;
  /** Just before the signal (ms since epoch). */
  at: number;
  /** After the process was reaped and the target drained its sockets. */
  settled: number;
  /** When the part was started again. */
  back: number;
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const SETTLE_TURNS = 10;
const SETTLE_MS = 50;

/**
 * Runs `kill` (which must send the signal synchronously, then resolve once
 * the process has exited) and returns the window in which requests from the
 * dying process can still be stamped.
 */
export async function killWindow(kill: () => Promise<void>): Promise<{ at: number; settled: number }> {
  const at = Date.now();
  await kill();
  const reaped = Date.now();
  for (let turns = 0; turns < SETTLE_TURNS || Date.now() - reaped < SETTLE_MS; turns++) await turn();
  return { at, settled: Date.now() };
}

/**
 * A crash explains a node's repeated requests when a worker or the server
 * died between the first and the last: killed no later than the last request,
 * and the first request stamped no later than the kill settled (it may have
 * been sent before the kill).
 */
/** An API process (`api`, `braid-api-1`, …): its death never repeats a node's request. */
const isApiPart = (part: string) => /(^|-)api(-\d+)?$/.test(part);

export function crashExplains(faults: readonly Fault[], times: readonly number[]): boolean {
  if (times.length < 2) return true;
  const first = Math.min(...times);
  const last = Math.max(...times);
  return faults.some((f) => !isApiPart(f.part) && f.at <= last && first <= f.settled);
}

/**
 * How long a part's death can still hold a run back once the part is up
 * again: an activity on a killed worker is only given up after its 10 s
 * heartbeat timeout (a deadline's cancellation cannot reach it), and a run
 * whose workflow task sat on the dead worker's sticky queue waits out that
 * queue's timeout.
 */
export const RECOVERY_MS = 10_000;

/**
 * The faults that can explain a deadline fired late: a worker, server or
 * database part down (or recovering, RECOVERY_MS) at some time between when
 * the deadline was due and when the run ended. API processes fire no
 * deadline, so they explain nothing.
 */
export function faultsBetween(faults: readonly Fault[], from: number, to: number): Fault[] {
  return faults.filter((f) => !isApiPart(f.part) && f.at <= to && from <= f.back + RECOVERY_MS);
}
