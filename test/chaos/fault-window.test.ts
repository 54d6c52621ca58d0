/**
 * The chaos runner's fault window (scripts/chaos/faults.ts). A process killed
 * while it sends requests can have them stamped by the target after the kill;
 * the window's `settled` end must cover every one of them, or a duplicate the
 * kill caused is reported as unexplained (as a 20-minute run did six times).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../scripts/chaos/faults';
import { crashExplains, faultsBetween, killWindow, RECOVERY_MS } from '../../scripts/chaos/faults';
import { lateness } from '../../scripts/chaos/flow';
import type { ChaosTarget } from '../../scripts/chaos/target';
import { startChaosTarget } from '../../scripts/chaos/target';

let target: ChaosTarget;
beforeAll(async () => {
  target = await startChaosTarget();
});
afterAll(() => target.close());

/** A process that sends requests for run `runId`, node n0, n1, … eight at a time, until killed. */
function sender(runId: string) {
  const script = `
    let n = 0;
    const one = () => fetch('${target.url}/chaos/${runId}/n' + n++).then((r) => r.text()).catch(() => {});
    const lane = async () => { for (;;) await one(); };
    for (let i = 0; i < 8; i++) lane();
    process.stdout.write('go\\n');
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const going = new Promise<void>((r) => child.stdout.once('data', () => r()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    going,
    kill: async () => {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

function stamps(runId: string): number[] {
  const out: number[] = [];
  for (let n = 0; ; n++) {
    const t = target.hits(runId, `n${n}`);
    if (t.length === 0) return out;
    out.push(...t);
  }
}

describe('chaos fault window', () => {
  it('covers every request a killed process sent, however late the target stamps it', async () => {
    let late = 0;
    for (let round = 0; round < 10; round++) {
      const runId = `window-${round}`;
      const s = sender(runId);
      await s.going;
      // Kill while requests flow: wait until the target has seen 20 of them (however slow the machine is).
      while (stamps(runId).length < 20) await new Promise((r) => setTimeout(r, 20));
      // The runner's loop is often busy when a kill comes (starting runs, parsing answers): hold it for 20 ms.
      const until = Date.now() + 20;
      while (Date.now() < until);
      const { at, settled } = await killWindow(s.kill);
      await new Promise((r) => setTimeout(r, 200)); // anything still to come would be stamped by now
      const times = stamps(runId);
      expect(times.length).toBeGreaterThanOrEqual(20);
      expect(Math.max(...times), `round ${round}: a request stamped after the window settled`).toBeLessThanOrEqual(settled);
      late += times.filter((t) => t > at).length;
    }
    // The race is real: requests the killed process sent were stamped after the kill began.
    expect(late).toBeGreaterThan(0);
  });

  it('explains a repeat only when a worker or server died between the first and last request', () => {
    const fault = (part: string, at: number, settled = at + 10): Fault => ({ part, at, settled, back: settled + 1000 });
    // The first request stamped 3 ms after the kill began, inside its window: the dying worker sent it.
    expect(crashExplains([fault('worker', 1_000)], [1_003, 6_000])).toBe(true);
    // Stamped after the window settled: the dead worker cannot have sent it.
    expect(crashExplains([fault('worker', 1_000)], [1_020, 6_000])).toBe(false);
    // Killed after the last request: it cannot explain the repeat.
    expect(crashExplains([fault('worker2', 7_000)], [1_000, 6_000])).toBe(false);
    // An API crash never runs nodes.
    expect(crashExplains([fault('api', 3_000)], [1_000, 6_000])).toBe(false);
    expect(crashExplains([fault('temporal', 3_000)], [1_000, 6_000])).toBe(true);
    // One request needs no explaining.
    expect(crashExplains([], [1_000])).toBe(true);
  });

  it('counts a late deadline as explained only when a worker, server or database part was down or recovering between its deadline and its end', () => {
    const fault = (part: string, at: number, back: number): Fault => ({ part, at, settled: at + 10, back });
    const faults = [fault('braid-worker-1', 10_000, 11_000), fault('braid-api-2', 50_000, 51_000), fault('postgres', 80_000, 82_000)];
    // Killed 5 s before the deadline, back 4 s before it: still inside the 10 s recovery.
    expect(faultsBetween(faults, 15_000, 20_000).map((f) => f.part)).toEqual(['braid-worker-1']);
    // Back more than RECOVERY_MS before the deadline: it explains nothing.
    expect(faultsBetween(faults, 11_000 + RECOVERY_MS + 1, 40_000)).toEqual([]);
    // An API process fires no deadline.
    expect(faultsBetween(faults, 49_000, 60_000)).toEqual([]);
    // Killed after the run ended: nothing.
    expect(faultsBetween(faults, 70_000, 79_999)).toEqual([]);
    const line = lateness(
      [
        { due: 1_000, ended: 2_200 }, // 1.2 s: within
        { due: 16_000, ended: 24_000 }, // the worker was recovering
        { due: 49_000, ended: 53_000 }, // only the API was down
        { due: 79_000, ended: 85_000 }, // PostgreSQL
      ],
      faults,
    );
    expect(line).toContain('1 of 4 within 2 s');
    expect(line).toContain(
      'of the 3 later, 2 had a worker, server or database part down or recovering between deadline and end (braid-worker 1, postgres 1), 1 had none',
    );
  });
});
