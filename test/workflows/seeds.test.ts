/**
 * Seeded nodes on Temporal's time-skipping server against a real local HTTP
 * target: a seeded node sends no request, succeeds at once with its output
 * (reused or pinned in its state), what is downstream reads that output, and
 * a seeded branching node takes the branch it names.
 */
import { describe, expect, it } from 'vitest';
import { graph } from '../helpers/graphs';
import { runGraph } from '../helpers/run-graph';
import { uniqueId, useTimeSkippingWithTarget } from '../helpers/temporal';

const ctx = useTimeSkippingWithTarget();

const sentWith = (tag: string) => ctx.target.requests.filter((r) => r.path.includes(tag)).map((r) => r.path.slice(r.path.lastIndexOf('-') + 1));

describe('seeded nodes', () => {
  it('do not run: downstream nodes read their outputs, and only the others reach the target', async () => {
    // start ─▶ a ─▶ b (echoes a's body.n) ─▶ c
    const tag = uniqueId('seed');
    const def = graph('seeded')
      .trigger()
      .http('a', `${ctx.target.url}/echo?t=${tag}-a`)
      .http('b', `${ctx.target.url}/echo?t=${tag}-b`, {}, { query: { n: '{% $nodes.a.output.body.n %}' } })
      .http('c', `${ctx.target.url}/echo?t=${tag}-c`)
      .chain('start', 'a', 'b', 'c')
      .build();
    const { state } = await runGraph(ctx.env, def, {
      seeds: { a: { output: { status: 200, body: { n: 41 } }, from: { runId: 'earlier' } }, c: { output: 'pinned c', from: 'pin' } },
    });
    expect(state.status).toBe('succeeded');
    expect(sentWith(tag)).toEqual(['b&n=41']);
    expect(state.nodes.a).toMatchObject({ status: 'succeeded', attempts: 0, output: { body: { n: 41 } }, reused: { runId: 'earlier' } });
    expect(state.nodes.c).toMatchObject({ status: 'succeeded', output: 'pinned c', pinned: true });
    expect(state.metrics.activityCount).toBe(1);
  });

  it('take the branch their handle names', async () => {
    // start ─▶ check ─true─▶ yes
    //               └─false─▶ no
    const tag = uniqueId('branch');
    const def = graph('seeded-branch')
      .trigger()
      .node('check', 'condition', { expression: '{% true %}' })
      .http('yes', `${ctx.target.url}/echo?t=${tag}-yes`)
      .http('no', `${ctx.target.url}/echo?t=${tag}-no`)
      .edge('start', 'check')
      .edge('check', 'yes', 'true')
      .edge('check', 'no', 'false')
      .build();
    const { state } = await runGraph(ctx.env, def, { seeds: { check: { output: false, handle: 'false', from: 'pin' } } });
    expect(state.status).toBe('succeeded');
    expect(sentWith(tag)).toEqual(['no']);
    expect(state.nodes.yes!.status).toBe('skipped');
    expect(state.nodes.check).toMatchObject({ output: false, handle: 'false', pinned: true });
  });
});
