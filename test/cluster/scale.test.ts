/**
 * Wide graphs on the cluster, with Temporal's default limits (100 buffered
 * events per workflow task, 4 task-queue partitions): a 1,000-wide fan-out,
 * one at the node limit (4,999 siblings) and a 10,000-item forEach complete
 * with zero WorkflowTaskFailed events in the run and in every batch child.
 */
import { describe, expect, it } from 'vitest';
import { forEachGraph } from '../../bench/for-each';
import { countWorkflowTaskFailures } from '../helpers/history';
import { graph } from '../helpers/graphs';
import { useCluster } from './context';

const ctx = useCluster();

describe('wide graphs on the cluster', () => {
  it('runs 1,000 siblings with no WorkflowTaskFailed', async () => {
    const g = graph(`cluster-wide-${Date.now()}`).trigger();
    // The default retry policy: on two loaded cores (CI, or this test beside two busy loops) some of
    // 1,000 activities started at once have missed their 10 s heartbeat timeout, and Temporal retried
    // them, as it would any activity's. What this test holds is the workflow tasks.
    for (let i = 0; i < 1000; i++) g.http(`n${i}`, `${ctx.target.url}/delay/50`).edge('start', `n${i}`);
    const before = ctx.target.count('/delay/50');
    const started = await ctx.json(0, 'POST', '/v1/runs', { workflow: g.with({ maxParallel: 1000 }).build() });
    expect(started.status).toBe(201);
    const run = await ctx.finished(1, started.body.runId, 170_000);
    const failed = Object.entries(run.nodes as Record<string, { status: string; error?: unknown }>).filter(([, n]) => n.status !== 'succeeded');
    expect({ status: run.status, failed: failed.slice(0, 3) }).toEqual({ status: 'succeeded', failed: [] });
    expect(Object.values(run.nodes as Record<string, { status: string }>).filter((n) => n.status === 'succeeded')).toHaveLength(1001);
    expect(ctx.target.count('/delay/50') - before).toBeGreaterThanOrEqual(1000);
    const failures = await countWorkflowTaskFailures(ctx.client, started.body.runId);
    expect(failures.children).toBeGreaterThan(0); // the wide set went to batch children
    expect(failures).toMatchObject({ total: 0, causes: [] });
  });

  it('runs a graph at the node limit (4,999 siblings) with no WorkflowTaskFailed', async () => {
    const g = graph(`cluster-node-limit-${Date.now()}`).trigger();
    for (let i = 0; i < 4999; i++) g.http(`n${i}`, `${ctx.target.url}/delay/5?i=${i}`).edge('start', `n${i}`);
    const started = await ctx.json(1, 'POST', '/v1/runs', { workflow: g.with({ maxParallel: 1000 }).build() });
    expect(started.status).toBe(201);
    const run = await ctx.finished(0, started.body.runId, 280_000);
    expect(run.status).toBe('succeeded');
    expect(Object.values(run.nodes as Record<string, { status: string }>).filter((n) => n.status === 'succeeded')).toHaveLength(5000);
    const failures = await countWorkflowTaskFailures(ctx.client, started.body.runId);
    expect(failures).toMatchObject({ total: 0, causes: [] });
  }, 300_000);

  it('runs a 10,000-item forEach with no WorkflowTaskFailed', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const before = ctx.target.count('/delay/0');
    const definition = { ...forEachGraph(ctx.target.url, 200), name: `cluster-for-each-${Date.now()}` };
    const started = await ctx.json(1, 'POST', '/v1/runs', { workflow: definition, input: { items } });
    expect(started.status).toBe(201);
    const run = await ctx.finished(0, started.body.runId, 170_000);
    expect(run.status).toBe('succeeded');
    expect(run.nodes.each.progress).toMatchObject({ done: 10_000, failed: 0, total: 10_000 });
    expect(run.nodes.each.output).toHaveLength(10_000);
    expect(ctx.target.count('/delay/0') - before).toBe(10_000);
    const failures = await countWorkflowTaskFailures(ctx.client, started.body.runId);
    expect(failures.children).toBe(20); // 500 items a batch
    expect(failures).toMatchObject({ total: 0, causes: [] });
  }, 300_000);
});
