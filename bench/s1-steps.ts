/**
 * `npm run bench -- --steps`: where S1's time goes. Runs S1 (100 ms → 5 ×
 * 200 ms) as Braid with activities, Braid with `execution: "local"`, and
 * the hand-written workflows (remote and local activities), and reads each
 * run's history: every event's time from the client's start call (the
 * server's timestamps, on the same clock as the client here), the median over
 * the runs, and the client's own start → result. Writes
 * bench/results/s1-steps.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { BenchContext } from './context';
import { TASK_QUEUE } from './context';
import { fanOut } from './graphs';
import { round, stats } from './stats';

const EventType = temporal.api.enums.v1.EventType;

/** A history event's name without the enum's prefix, as the Temporal UI shows it. */
const eventName = (t: number | null | undefined) =>
  (EventType[t ?? 0] ?? String(t))
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());

const millis = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(ts?.seconds ?? 0) * 1000 + (ts?.nanos ?? 0) / 1e6;

interface Trace {
  /** Each event: its name and its time after the client called start. */
  events: { name: string; ms: number }[];
  resultMs: number;
}

async function trace(ctx: BenchContext, start: (workflowId: string) => Promise<unknown>): Promise<Trace> {
  const workflowId = `steps-${Math.random().toString(36).slice(2)}`;
  const t0 = Date.now();
  await start(workflowId);
  const resultMs = Date.now() - t0;
  const history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
  // The local-activity markers' names tell them from the patch markers.
  const events = (history.events ?? []).map((e) => ({
    name: e.markerRecordedEventAttributes?.markerName ? `MarkerRecorded (${e.markerRecordedEventAttributes.markerName})` : eventName(e.eventType),
    ms: millis(e.eventTime) - t0,
  }));
  return { events, resultMs };
}

/** The median time of each event over the runs (events matched by position; a run whose sequence differs is left out). */
function medianTimeline(traces: Trace[]): { name: string; ms: number }[] {
  const shape = (t: Trace) => t.events.map((e) => e.name).join(',');
  const common = traces.filter((t) => shape(t) === shape(traces[0]!));
  const rows = traces[0]!.events.map((e, i) => ({ name: e.name, ms: round(stats(common.map((t) => t.events[i]!.ms)).median) }));
  rows.push({ name: 'client has the result', ms: round(stats(common.map((t) => t.resultMs)).median) });
  return rows;
}

export async function measureS1Steps(ctx: BenchContext, outDir: string): Promise<string> {
  const { base, client, reps, log } = ctx;
  log('S1 steps: each history event, Braid and hand-written');
  const variants: [string, (id: string) => Promise<unknown>][] = [
    ['Braid, activities', (id) => client.workflow.execute('graphWorkflow', { taskQueue: TASK_QUEUE, workflowId: id, args: [{ definition: fanOut(base) }] })],
    ['hand-written, activities', (id) => client.workflow.execute('handFanOut', { taskQueue: TASK_QUEUE, workflowId: id, args: [base, 100, 5, 200] })],
    [
      'Braid, execution local',
      (id) =>
        client.workflow.execute('graphWorkflow', {
          taskQueue: TASK_QUEUE,
          workflowId: id,
          args: [{ definition: fanOut(base, 5, 100, 200, 'parallel', 'local') }],
        }),
    ],
    [
      'hand-written, local activities',
      (id) => client.workflow.execute('handFanOutLocal', { taskQueue: TASK_QUEUE, workflowId: id, args: [base, 100, 5, 200] }),
    ],
  ];
  const traces = new Map<string, Trace[]>(variants.map(([name]) => [name, []]));
  // Interleaved, so that a slow moment of the machine does not fall on one variant.
  for (let i = 0; i < reps; i++) for (const [name, start] of variants) traces.get(name)!.push(await trace(ctx, start));
  const results: Record<string, { name: string; ms: number }[]> = {};
  const md: string[] = [
    `S1 steps, ${reps} runs of each, medians; times in ms after the client called start (server timestamps, client clock for the result).`,
    '',
  ];
  for (const [name] of variants) {
    const rows = medianTimeline(traces.get(name)!);
    results[name] = rows;
    // "after the previous row": history order is not time order (an activity's Started event is written with its end).
    md.push(`| ${name} | ms | after the previous row |`, '|---|---|---|');
    rows.forEach((r, i) => {
      const step = i === 0 ? r.ms : round(r.ms - rows[i - 1]!.ms);
      md.push(`| ${r.name} | ${r.ms} | ${step >= 0 ? step : '—'} |`);
    });
    md.push('');
  }
  writeFileSync(join(outDir, 's1-steps.json'), `${JSON.stringify({ date: new Date().toISOString(), reps, results }, null, 2)}\n`);
  const text = md.join('\n');
  writeFileSync(join(outDir, 's1-steps.md'), `${text}\n`);
  return text;
}
