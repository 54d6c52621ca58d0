/** Every graph in examples/ validates and runs to its expected end on the time-skipping server. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/graph/validate';
import { runGraph } from '../helpers/run-graph';
import { testActivities, useTimeSkippingWithTarget } from '../helpers/temporal';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';
import { pinnedRun } from '../../src/runs/pins';
import { assertValid } from '../../src/graph/validate';

const dir = resolve(__dirname, '..', '..', 'examples');
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: f,
    ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { workflow: unknown; input: Record<string, unknown>; pins?: Record<string, unknown> }),
  }));
/** A test run's pins as the API turns them into seeds. */
const seedsOf = (example: (typeof examples)[number]) =>
  example.pins ? pinnedRun(assertValid(example.workflow, BUILT_IN_CATALOG).graph, BUILT_IN_CATALOG, example.pins) : {};

/** Examples that show a failure: the error type each ends with. */
const FAILS_WITH: Record<string, string> = { 'deadline.json': 'RunTimedOut' };

const ctx = useTimeSkippingWithTarget();
/** The key secret-header.json sends (env BRAID_SECRET_API_KEY on a real worker). */
const activities = () => testActivities({ env: { BRAID_SECRET_API_KEY: 'example-key-value' } });

describe('examples', () => {
  it("has the old executor's five-branch fan-out among them", () => {
    expect(examples.map((e) => e.file)).toContain('fan-out.json');
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s validates and runs to its expected end', async (file, example) => {
    expect(validateDefinition(example.workflow, BUILT_IN_CATALOG).ok).toBe(true);
    const { state } = await runGraph(ctx.env, example.workflow, {
      input: { ...example.input, baseUrl: ctx.target.url },
      ...seedsOf(example),
      activities: activities(),
    });
    const failure = FAILS_WITH[file];
    expect(state.status).toBe(failure ? 'failed' : 'succeeded');
    if (failure) expect(state.error?.type).toBe(failure);
    expect(Object.values(state.nodes).every((n) => n.status !== 'pending' && n.status !== 'running')).toBe(true);
  });

  it('deadline.json cancels the delay its deadline passes in, and names it', async () => {
    const example = examples.find((e) => e.file === 'deadline.json')!;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { baseUrl: ctx.target.url }, activities: activities() });
    expect(state.nodes.quote!.status).toBe('succeeded');
    expect(state.nodes.settle!.status).toBe('canceled');
    expect(state.nodes.notify!.status).toBe('canceled');
    expect(state.error!.message).toContain('canceled while running: settle');
  });

  it('secret-header sends the key and sees it masked where the target echoes it', async () => {
    const example = examples.find((e) => e.file === 'secret-header.json')!;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { baseUrl: ctx.target.url }, activities: activities() });
    expect(ctx.target.requests.at(-1)!.headers.authorization).toBe('Bearer example-key-value');
    expect(state.nodes.seen!.output).toBe('Bearer ***');
  });

  it('fan-out runs its five branches side by side and joins them once', async () => {
    const fanOut = examples.find((e) => e.file === 'fan-out.json')!;
    const { state } = await runGraph(ctx.env, fanOut.workflow, { input: { baseUrl: ctx.target.url } });
    expect(state.nodes.summary!.output).toEqual({ branches: 5 });
  });

  it('refund-approval escalates when nobody decides within two days (the timeout edge)', async () => {
    const example = examples.find((e) => e.file === 'refund-approval.json')!;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { ...example.input, baseUrl: ctx.target.url } });
    expect(state.nodes.review!.output).toMatchObject({ timedOut: true });
    expect(state.nodes.escalate!.output).toBe('escalated');
    expect(state.nodes.refund!.status).toBe('skipped');
  });

  it('subworkflow prices the basket in a child run, then reserves the total', async () => {
    const example = examples.find((e) => e.file === 'subworkflow.json')!;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { ...example.input, baseUrl: ctx.target.url } });
    expect(state.nodes.price!.childRunId).toMatch(/\.price$/);
    expect(state.nodes.quote!.output).toEqual({ total: 20, reserved: true });
  });

  it('pinned-test-run takes the branch its pinned lookup leads to, sending no request for it', async () => {
    const example = examples.find((e) => e.file === 'pinned-test-run.json')!;
    const before = ctx.target.requests.filter((r) => r.path.includes('customer=')).length;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { ...example.input, baseUrl: ctx.target.url }, ...seedsOf(example) });
    expect(state.nodes.lookup).toMatchObject({ pinned: true, output: { body: { tier: 'gold' } } });
    expect(state.nodes.thank!.output).toMatchObject({ body: { query: { thank: 'Ada' } } });
    expect(state.nodes.skip!.status).toBe('skipped');
    expect(ctx.target.requests.filter((r) => r.path.includes('customer=')).length).toBe(before);
  });

  it('for-each prices every line in its body and sums them', async () => {
    const example = examples.find((e) => e.file === 'for-each.json')!;
    const { state } = await runGraph(ctx.env, example.workflow, { input: { ...example.input, baseUrl: ctx.target.url } });
    expect(state.nodes.lines!.progress).toEqual({ done: 3, failed: 0, total: 3 });
    expect(state.nodes.sum!.output).toBe(24);
  });
});
