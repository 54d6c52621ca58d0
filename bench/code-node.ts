/**
 * `npm run bench -- --code`: the code node (issue 39's goals), on the bench's
 * dev server and worker (bench/context.ts), client-observed except `runMs`,
 * which the activity reports (its time in the sandbox pool and the sandbox):
 *
 * - a trivial code node (`return { n: $input.n + 1 }`), warm: the median of
 *   its `runMs` over sequential runs;
 * - a forEach of 10,000 items with a code body against the same forEach with
 *   a `set` body, same bench run (wall, client-observed);
 * - a trivial code run started among the escape catalogue's runs: its wall.
 *
 * Writes bench/results/code-node.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { GraphDefinition } from '../src/graph/schema';
import type { BenchContext } from './context';
import { quantile, round } from './stats';

const trivial = (): GraphDefinition => ({
  name: 'code-trivial',
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'code', type: 'code', data: { code: 'return { n: $input.n + 1 };' } },
  ],
  edges: [{ source: 'start', target: 'code' }],
});

function forEachOf(body: { id: string; type: string; data: Record<string, unknown> }, maxConcurrency: number): GraphDefinition {
  return {
    name: `for-each-${body.type}`,
    nodes: [
      { id: 'start', type: 'trigger' },
      {
        id: 'each',
        type: 'forEach',
        data: {
          items: '{% $input.items %}',
          maxConcurrency,
          body: { name: 'item', nodes: [{ id: 'in', type: 'trigger' }, body], edges: [{ source: 'in', target: body.id }] },
        },
      },
    ],
    edges: [{ source: 'start', target: 'each' }],
  };
}

const ATTACKS: [string, Record<string, unknown>][] = [
  ['for (;;) {}', { timeout: '1s' }],
  ["return /^(a+)+$/.test('a'.repeat(40) + '!')", { timeout: '1s' }],
  ['const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20));', { memory: 16 }],
  ["return 'x'.repeat(3 << 20)", {}],
  ['await new Promise(() => {})', {}],
  ['const f = () => f(); return f()', {}],
  ["return this.constructor.constructor('return process')()", {}],
];

export async function codeNodeScenario(ctx: BenchContext, outDir: string): Promise<string> {
  const runs = ctx.quick ? 10 : 60;
  ctx.log(`code: ${runs} trivial runs`);
  const runMs: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const { state } = await ctx.runBraid(trivial(), { n: i });
    if (state.status !== 'succeeded') throw new Error(`a trivial code run ${state.status}`);
    if (i >= 5) runMs.push(state.nodes.code!.runMs ?? NaN);
  }
  const items = ctx.quick ? 1_000 : 10_000;
  const maxConcurrency = 100;
  const input = { items: Array.from({ length: items }, (_, i) => ({ n: i })) };
  ctx.log(`code: forEach of ${items} items, set body and code body, alternating`);
  const walls = { set: [] as number[], code: [] as number[] };
  for (let r = 0; r < (ctx.quick ? 1 : 2); r++) {
    for (const kind of ['set', 'code'] as const) {
      const body =
        kind === 'set'
          ? { id: 'b', type: 'set', data: { value: { n: '{% $input.n + 1 %}' } } }
          : { id: 'b', type: 'code', data: { code: 'return { n: $input.n + 1 };' } };
      const { ms, state } = await ctx.runBraid(forEachOf(body, maxConcurrency), input);
      if (state.status !== 'succeeded') throw new Error(`the ${kind} forEach ${state.status}`);
      walls[kind].push(ms);
    }
  }
  ctx.log(`code: a trivial run among ${ATTACKS.length} hostile ones`);
  const among: number[] = [];
  for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
    const hostile = Promise.all(
      ATTACKS.map(([code, data]) =>
        ctx
          .runBraid({
            name: 'code-hostile',
            nodes: [
              { id: 'start', type: 'trigger' },
              { id: 'code', type: 'code', data: { code, ...data } },
            ],
            edges: [{ source: 'start', target: 'code' }],
          })
          .then(
            () => 'succeeded',
            () => 'failed',
          ),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const { ms, state } = await ctx.runBraid(trivial(), { n: 1 });
    if (state.status !== 'succeeded') throw new Error(`the trivial run among hostile ones ${state.status}`);
    among.push(ms);
    for (const h of await hostile) if (h !== 'failed') throw new Error(`a hostile code run ${h}`);
  }
  const figures = {
    trivialRunMs: { runs: runMs.length, p50: round(quantile(runMs, 0.5)), p95: round(quantile(runMs, 0.95)) },
    forEach: {
      items,
      maxConcurrency,
      setMs: walls.set.map(round),
      codeMs: walls.code.map(round),
      ratio: round(quantile(walls.code, 0.5) / quantile(walls.set, 0.5), 2),
    },
    amongHostile: { hostile: ATTACKS.length, ms: among.map(round), most: round(Math.max(...among)) },
  };
  const rows = [
    {
      goal: 'a trivial code node (`return { n: $input.n + 1 }`), warm: ≤ 5 ms of `runMs`, median',
      measured: `${figures.trivialRunMs.p50} ms median, p95 ${figures.trivialRunMs.p95} ms, of ${runMs.length} runs (self-reported by the activity)`,
      met: figures.trivialRunMs.p50 <= 5,
    },
    {
      goal: `forEach of ${items} items with a code body ≤ 2 × the same forEach with a set body`,
      measured: `code ${figures.forEach.codeMs.join(', ')} ms; set ${figures.forEach.setMs.join(', ')} ms: ${figures.forEach.ratio}× (medians)`,
      met: figures.forEach.ratio <= 2,
    },
    {
      goal: `a trivial run started among ${ATTACKS.length} hostile code runs answers within 1 s`,
      measured: `${figures.amongHostile.ms.join(', ')} ms (start to end, client-observed)`,
      met: figures.amongHostile.most <= 1_000,
    },
  ];
  const date = new Date().toISOString();
  const name = ctx.quick ? 'code-node-quick' : 'code-node';
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ name: 'code-node', date, quick: ctx.quick, observed: 'client', figures, rows }, null, 2)}\n`);
  const md = [
    `${date}. ${cpus().length} cores. Dev server, Braid's worker in the bench's process (its sandbox pool: 16 threads at most), runs started through the client.`,
    '',
    '| goal | measured | met |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.goal} | ${r.measured} | ${r.met ? 'yes' : 'no'} |`),
  ].join('\n');
  writeFileSync(join(outDir, `${name}.md`), `${md}\n`);
  return md;
}
