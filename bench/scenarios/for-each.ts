/** forEach: 10,000 items (1,000 quick) of a one-http-node body, against the same batching written by hand. */
import type { BenchContext } from '../context';
import { TASK_QUEUE } from '../context';
import { measureForEach } from '../for-each';
import { round } from '../stats';

export async function forEachScenario(ctx: BenchContext): Promise<void> {
  const { base, quick, log, client, results, table, goals } = ctx;
  const size = quick ? 1_000 : 10_000;
  log(`forEach: ${size} items, a one-http-node body each, maxConcurrency 200`);
  const facts = await measureForEach({ client, taskQueue: TASK_QUEUE, base, items: size, maxConcurrency: 200 });
  results.forEach = facts;
  table.push('| forEach (items of a one-http-node body, maxConcurrency 200) | value |', '|---|---|');
  table.push(`| items | ${facts.items} (${facts.status}) |`);
  table.push(`| wall time | ${facts.wallMs} ms (${facts.itemsPerSecond} items/s) |`);
  table.push(`| the same batching written by hand (same run) | ${facts.handWallMs} ms (Braid / hand-written ${round(facts.wallMs / facts.handWallMs, 2)}) |`);
  table.push(`| batch children | ${facts.batches} |`);
  table.push(`| the run's history | ${facts.run.events} events, ${facts.run.bytes} bytes |`);
  table.push(`| largest batch history | ${facts.largestBatch.events} events, ${facts.largestBatch.bytes} bytes |`);
  table.push(`| WorkflowTaskFailed (run + batches) | ${facts.taskFailures} |`, '');
  goals.push({
    scenario: `forEach of ${facts.items} items`,
    goal: "largest history far below Temporal's 51,200 events / 50 MB; no force-closed task",
    measured: `largest ${Math.max(facts.largestBatch.events, facts.run.events)} events / ${round(Math.max(facts.largestBatch.bytes, facts.run.bytes) / 2 ** 20, 2)} MB; ${facts.taskFailures} WorkflowTaskFailed; ${facts.wallMs} ms`,
    met:
      Math.max(facts.largestBatch.events, facts.run.events) < 10_000 &&
      Math.max(facts.largestBatch.bytes, facts.run.bytes) < 10 * 2 ** 20 &&
      facts.taskFailures === 0 &&
      facts.status.startsWith('succeeded'),
  });
  const ratio = round(facts.wallMs / facts.handWallMs, 2);
  goals.push({
    scenario: `forEach of ${facts.items} items`,
    goal: '≤ 1.5× the same batching written by hand',
    measured: `${ratio}× (${facts.wallMs} / ${facts.handWallMs} ms)`,
    met: ratio <= 1.5,
  });
}
