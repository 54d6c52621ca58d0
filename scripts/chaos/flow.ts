/**
 * Flow control in the chaos run, beside the random graphs and through the
 * same faults:
 * - keyed runs: workflows `chaos-keyed-1` and `chaos-keyed-2` (concurrency
 *   limit 1 and 2 per key, three keys each) whose one request holds the
 *   target a while; the target counts each key's requests in flight, and more
 *   than the limit is a violation (`limit`); every accepted run must end
 *   (`keyed`);
 * - deadlines: a fifth of them have `settings.timeout: "1s"` and a request
 *   longer than that: they must fail with RunTimedOut (`deadline`); how late
 *   each ended past its deadline is reported;
 * - debounced deliveries: bursts of deliveries to `chaos-debounce`'s webhook
 *   (debounce 700 ms per key), each with an Idempotency-Key and retried
 *   through outages: every delivery is answered with a run, and every such
 *   run succeeds with the body of one of its key's deliveries (`debounce`).
 */
import type { RunView } from '../../src/runs/run-store';
import { stackAuth } from '../../test/helpers/stack-token';
import type { Dice } from './graphs';
import type { Violation } from './invariants';
import type { ChaosTarget } from './target';
import type { Fault } from './faults';
import { faultsBetween } from './faults';
import { retryDelay } from './retry';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const ENDED = new Set(['succeeded', 'failed', 'canceled', 'terminated', 'timed_out']);

function keyedWorkflow(limit: number, timeout: boolean) {
  return {
    name: `chaos-keyed-${limit}`,
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'hold', type: 'http', data: { url: `{% $input.target & '/keyed/' & $input.lane & '/${limit}/' & $input.id & '?ms=' & $input.ms %}` } },
    ],
    edges: [{ source: 'start', target: 'hold' }],
    settings: { concurrency: { key: '{% $input.k %}', limit }, ...(timeout ? { timeout: '1s' } : {}) },
  };
}

const DEBOUNCED = {
  nodes: [
    { id: 'start', type: 'trigger', data: { kind: 'webhook', debounce: { key: '{% $input.k %}', period: '700ms' } } },
    { id: 'echo', type: 'set', data: { value: '{% $input %}' } },
  ],
  edges: [{ source: 'start', target: 'echo' }],
};

/** POSTs (or PUTs) until the API answers below 500; undefined when `untilMs` passes first. */
async function send(url: string, method: string, body: unknown, untilMs: number, headers: Record<string, string> = {}) {
  for (let attempt = 0; Date.now() < untilMs; attempt++) {
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...stackAuth, ...headers }, body: JSON.stringify(body) }).catch(
      () => undefined,
    );
    if (res && res.status < 500 && res.status !== 429) return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    await sleep(retryDelay(attempt, res));
  }
  return undefined;
}

/** A deadline run: when its deadline was due and when it ended (ms since epoch). */
export interface DeadlineEnd {
  runId: string;
  due: number;
  ended: number;
}

/**
 * How late runs ended past their deadlines: median, 95th percentile, most,
 * how many within 2 s, and of the later ones how many had a part down (or
 * recovering) between their deadline and their end, by part.
 */
export function lateness(ends: readonly Omit<DeadlineEnd, 'runId'>[], faults: readonly Fault[]): string {
  if (ends.length === 0) return 'nothing (none ran)';
  const sorted = ends.map((e) => e.ended - e.due).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const late = ends.filter((e) => e.ended - e.due > 2_000);
  const parts = new Map<string, number>();
  let explained = 0;
  for (const e of late) {
    const during = faultsBetween(faults, e.due, e.ended);
    if (during.length > 0) explained++;
    for (const part of new Set(during.map((f) => f.part.replace(/-\d+$/, '')))) parts.set(part, (parts.get(part) ?? 0) + 1);
  }
  const byPart = [...parts].map(([part, n]) => `${part} ${n}`).join(', ');
  const within = `${ends.length - late.length} of ${ends.length} within 2 s`;
  const later =
    late.length === 0
      ? ''
      : `; of the ${late.length} later, ${explained} had a worker, server or database part down or recovering between deadline and end (${byPart || 'none'}), ${late.length - explained} had none`;
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, most ${sorted.at(-1)} ms; ${within}${later}`;
}

export function createFlowChaos(api: () => string, dice: Dice, target: ChaosTarget, seed: number) {
  const keyed = new Map<string, { deadline: boolean }>();
  /** Keyed starts the API never accepted (in 120 s of retries) or refused. */
  const unaccepted: { runId: string; status?: number }[] = [];
  const deliveries: { k: string; burst: number; j: number; runId?: string }[] = [];
  const pending: Promise<void>[] = [];
  let ticks = 0;
  let bursts = 0;

  const startKeyed = (i: number) => {
    const limit = dice.pick([1, 2]);
    const deadline = dice.chance(0.2);
    const k = `k${dice.int(0, 2)}`;
    const runId = `chaos-keyed-${seed}-${i}`;
    const input = { k, lane: `${limit}-${k}`, id: runId, ms: deadline ? 3_000 : dice.int(200, 800), target: target.url };
    pending.push(
      (async () => {
        const answer = await send(`${api()}/v1/runs`, 'POST', { runId, workflow: keyedWorkflow(limit, deadline), input }, Date.now() + 120_000);
        if (answer && (answer.status === 201 || answer.status === 409)) keyed.set(runId, { deadline });
        else unaccepted.push({ runId, status: answer?.status });
      })(),
    );
  };

  const burst = () => {
    const b = bursts++;
    const k = `d${dice.int(0, 2)}`;
    const count = dice.int(2, 6);
    pending.push(
      (async () => {
        for (let j = 0; j < count; j++) {
          const d: (typeof deliveries)[number] = { k, burst: b, j };
          deliveries.push(d);
          const answer = await send(`${api()}/v1/hooks/chaos-debounce`, 'POST', { k, burst: b, j }, Date.now() + 120_000, {
            'idempotency-key': `${seed}-${b}-${j}`,
          });
          if (answer?.status === 202 || answer?.status === 200) d.runId = answer.body.runId as string;
        }
      })(),
    );
  };

  async function view(runId: string, untilMs: number): Promise<RunView | undefined> {
    while (Date.now() < untilMs) {
      const res = await fetch(`${api()}/v1/runs/${encodeURIComponent(runId)}`, { headers: stackAuth }).catch(() => undefined);
      const v = res?.status === 200 ? ((await res.json()) as RunView) : undefined;
      if (v && ENDED.has(v.status)) return v;
      await sleep(250);
    }
    return undefined;
  }

  return {
    /** Saves the debounced workflow (before any fault). */
    setup: async () => void (await send(`${api()}/v1/workflows/chaos-debounce`, 'PUT', DEBOUNCED, Date.now() + 60_000)),
    /** Called once per generated run: a keyed run every other tick, a burst of deliveries every sixth. */
    tick(): void {
      const i = ticks++;
      if (i % 2 === 0) startKeyed(i);
      if (i % 6 === 0) burst();
    },
    /**
     * Waits for everything started to end; the report's lines and violations,
     * and the deadlines more than 2 s late with no part down. `acceptedAt`:
     * when Temporal accepted a run (its execution's start), the time its
     * deadline counts from; the run's own `startedAt` is its first workflow
     * task, which a worker down or a backlog makes later.
     */
    async finish(
      faults: readonly Fault[],
      acceptedAt: (runId: string) => Promise<number>,
    ): Promise<{ lines: string[]; violations: Violation[]; unexplained: DeadlineEnd[] }> {
      await Promise.all(pending);
      const violations: Violation[] = [];
      const until = Date.now() + 5 * 60_000;
      const late: DeadlineEnd[] = [];
      let deadlines = 0;
      for (const [runId, { deadline }] of keyed) {
        const v = await view(runId, until);
        if (!v) violations.push({ invariant: 'keyed', runId, detail: 'never ended' });
        else if (deadline) {
          deadlines++;
          if (v.status !== 'failed' || v.error?.type !== 'RunTimedOut')
            violations.push({ invariant: 'deadline', runId, detail: `ended ${v.status} (${v.error?.type ?? 'no error'})` });
          const start = await acceptedAt(runId).catch(() => Date.parse(v.startedAt ?? ''));
          late.push({ runId, due: start + 1_000, ended: Date.parse(v.finishedAt ?? '') });
        } else if (v.status !== 'succeeded') violations.push({ invariant: 'keyed', runId, detail: `ended ${v.status}: ${v.error?.message ?? ''}` });
      }
      for (const u of unaccepted)
        violations.push({ invariant: 'keyed', runId: u.runId, detail: u.status ? `start answered ${u.status}` : 'start never accepted in 120 s of retries' });
      const over = [...target.mostInFlight()].filter(([, k]) => k.most > k.limit);
      for (const [lane, k] of over) violations.push({ invariant: 'limit', runId: lane, detail: `${k.most} in flight at once, limit ${k.limit}` });
      const runs = new Set(deliveries.map((d) => d.runId));
      for (const d of deliveries)
        if (!d.runId) violations.push({ invariant: 'debounce', runId: `${d.k}/${d.burst}/${d.j}`, detail: 'delivery never answered with a run' });
      for (const runId of runs) {
        if (!runId) continue;
        const v = await view(runId, until);
        const input = v?.input as { k?: string; burst?: number; j?: number } | undefined;
        const sent = deliveries.some((d) => d.k === input?.k && d.burst === input?.burst && d.j === input?.j);
        if (v?.status !== 'succeeded' || !sent)
          violations.push({ invariant: 'debounce', runId, detail: `ended ${v?.status ?? 'never'}, input ${JSON.stringify(input)}` });
      }
      const mark = (name: string) => (violations.some((v) => v.invariant === name) ? '✗' : '✓');
      return {
        violations,
        unexplained: late.filter((e) => e.ended - e.due > 2_000 && faultsBetween(faults, e.due, e.ended).length === 0),
        lines: [
          `${mark('limit')} limit: ${keyed.size} keyed run(s) over ${target.mostInFlight().size} key(s), never more in flight than the limit (most seen: ${Math.max(0, ...[...target.mostInFlight().values()].map((k) => k.most))})`,
          `${mark('keyed')} keyed: ${keyed.size} of ${keyed.size + unaccepted.length} keyed starts accepted; every accepted one ended as expected`,
          `${mark('deadline')} deadline: ${deadlines} run(s) failed with RunTimedOut; ended past their deadline by ${lateness(late, faults)}`,
          `${mark('debounce')} debounce: ${deliveries.length} deliveries in ${bursts} bursts became ${runs.size} run(s), each succeeded with one of its key's deliveries`,
        ],
      };
    },
  };
}
