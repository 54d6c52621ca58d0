/**
 * The interpreter on Temporal's time-skipping server, calling a real local
 * HTTP server that records what it received: concurrency and order are read
 * from the server's log, never from clocks.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { cancelAndSettle, runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, sdkLogs, testActivities } from '../helpers/temporal';
import { stateQuery } from '../../workflows';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let url: (path: string) => string;

beforeAll(async () => {
  [env, target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
  url = (path) => `${target.url}${path}`;
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
});

const requestsTo = (prefix: string) => target.requests.filter((r) => r.path.startsWith(prefix));
const overlapAll = (prefix: string) => {
  const rs = requestsTo(prefix);
  const lastStart = Math.max(...rs.map((r) => r.startTick));
  const firstEnd = Math.min(...rs.map((r) => r.endTick ?? Infinity));
  return rs.length > 0 && lastStart < firstEnd;
};

describe('parallel branches', () => {
  it('runs three HTTP siblings at the same time', async () => {
    //          ┌─▶ a
    // start ───┼─▶ b
    //          └─▶ c
    const b = graph().trigger();
    for (const id of ['a', 'b', 'c']) b.http(id, url(`/delay/300?t=three-${id}`)).edge('start', id);
    const { state } = await runGraph(env, b.build());
    expect(state.status).toBe('succeeded');
    expect(requestsTo('/delay/300?t=three-')).toHaveLength(3);
    expect(overlapAll('/delay/300?t=three-')).toBe(true);
  });

  it("has all five siblings in flight together after the first step (the old executor's case)", async () => {
    // start ─▶ first(100ms) ─┬─▶ s1 … s5 (200ms each)
    const b = graph().trigger().http('first', url('/delay/100?t=five-first')).edge('start', 'first');
    for (const i of [1, 2, 3, 4, 5]) b.http(`s${i}`, url(`/delay/200?t=five-s${i}`)).edge('first', `s${i}`);
    const { state, workflowId } = await runGraph(env, b.build());
    expect(state.status).toBe('succeeded');
    expect(overlapAll('/delay/200?t=five-')).toBe(true);
    const first = requestsTo('/delay/100?t=five-first')[0]!;
    for (const r of requestsTo('/delay/200?t=five-')) expect(r.startTick).toBeGreaterThan(first.endTick!);
    expect(state.metrics.activityCount).toBe(6);
    // first (100 ms) then a sibling (200 ms): each node's own request time, so at least 300 ms.
    expect(state.metrics.criticalPathMs).toBeGreaterThanOrEqual(300);
    // the log lines users of the old executor expect, from the replay-aware workflow logger
    const lines = sdkLogs.filter((l) => l.meta?.workflowId === workflowId).map((l) => `${l.level} ${l.message}`);
    expect(lines).toContain('DEBUG Node first has 5 outgoing edge(s)');
    expect(lines).toContain('INFO Executing 5 parallel branches from node first');
    expect(lines.filter((l) => /^INFO Node s\d succeeded in \d+ ms$/.test(l))).toHaveLength(5);
  });

  it("starts a fast branch's child before the slow branch ends (unbalanced DAG)", async () => {
    // start ─▶ slow(1500ms) ──────────────┐
    //   └────▶ fast(50ms) ─▶ child(50ms) ─┴─▶ end
    const def = graph()
      .trigger()
      .http('slow', url('/delay/1500?t=unbal-slow'))
      .http('fast', url('/delay/50?t=unbal-fast'))
      .http('child', url('/delay/50?t=unbal-child'))
      .set('end', 1)
      .edge('start', 'slow')
      .edge('start', 'fast')
      .edge('fast', 'child')
      .edge('slow', 'end')
      .edge('child', 'end')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    const [slow] = requestsTo('/delay/1500?t=unbal-slow');
    const [child] = requestsTo('/delay/50?t=unbal-child');
    expect(child!.startTick).toBeLessThan(slow!.endTick!);
    expect(state.nodes.end!.status).toBe('succeeded');
  });

  it('never has more than maxParallel activities in flight', async () => {
    const b = graph().trigger().with({ maxParallel: 2 });
    for (const i of [1, 2, 3, 4, 5, 6]) b.http(`h${i}`, url(`/delay/100?t=maxp-${i}`)).edge('start', `h${i}`);
    const { state } = await runGraph(env, b.build());
    expect(state.status).toBe('succeeded');
    const rs = requestsTo('/delay/100?t=maxp-');
    expect(rs).toHaveLength(6);
    for (const r of rs) expect(inFlightDuring(rs, r)).toBeLessThanOrEqual(2);
    expect(Math.max(...rs.map((r) => inFlightDuring(rs, r)))).toBe(2);
  });

  it('under maxParallel, starts the node with the longest remaining path first (its estimate), and shows the estimates', async () => {
    //          ┌─▶ s1 … s4 (50 ms each, listed first)
    // start ───┤                                        maxParallel 2
    //          └─▶ long (400 ms, estimate "2s", listed last)
    const b = graph().trigger().with({ maxParallel: 2 });
    for (const i of [1, 2, 3, 4]) b.http(`s${i}`, url(`/delay/50?t=order-s${i}`)).edge('start', `s${i}`);
    b.http('long', url('/delay/400?t=order-long')).edge('start', 'long');
    const def = b.build();
    Object.assign(
      def.nodes.find((n) => n.id === 'long')!,
      { estimate: '2s' },
    );
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    const [long] = requestsTo('/delay/400?t=order-long');
    const shorts = requestsTo('/delay/50?t=order-s');
    // In definition order the long node would wait for two waves of short ones; first, it runs beside them.
    for (const s of shorts) expect(long!.startTick).toBeLessThan(s.endTick!);
    expect(state.nodes.long!.estimate).toEqual({ ms: 2000, source: 'estimate' });
    expect(state.nodes.s1!.estimate).toEqual({ source: 'depth' });
  });

  it('never overlaps nodes with strategy "sequential", and keeps definition order', async () => {
    const b = graph().trigger().with({ strategy: 'sequential' });
    for (const i of [1, 2, 3, 4]) b.http(`h${i}`, url(`/delay/50?t=seq-${i}`)).edge('start', `h${i}`);
    const { state } = await runGraph(env, b.build());
    expect(state.status).toBe('succeeded');
    const rs = requestsTo('/delay/50?t=seq-');
    expect(rs.map((r) => r.path)).toEqual([1, 2, 3, 4].map((i) => `/delay/50?t=seq-${i}`));
    for (const r of rs) expect(inFlightDuring(rs, r)).toBe(1);
  });
});

/** How many of `rs` were in flight while `r` was (including r). */
function inFlightDuring(rs: typeof target.requests, r: (typeof target.requests)[number]): number {
  return rs.filter((o) => o.startTick <= r.startTick && (o.endTick ?? Infinity) > r.startTick).length;
}

describe('conditions, switches and joins', () => {
  it("takes a condition's true branch with parallel paths and skips the false one", async () => {
    //                ┌─ true ─▶ p1 ─┐
    // start ─▶ big? ─┤  true ─▶ p2 ─┴─▶ join
    //                └─ false ─▶ small
    const def = graph()
      .trigger()
      .node('big', 'condition', { expression: '{% $input.amount > 100 %}' })
      .http('p1', url('/delay/200?t=cond-p1'))
      .http('p2', url('/delay/200?t=cond-p2'))
      .set('small', 'no')
      .node('join', 'merge')
      .edge('start', 'big')
      .edge('big', 'p1', 'true')
      .edge('big', 'p2', 'true')
      .edge('big', 'small', 'false')
      .edge('p1', 'join')
      .edge('p2', 'join')
      .build();
    const { state } = await runGraph(env, def, { input: { amount: 500 } });
    expect(state.status).toBe('succeeded');
    expect(state.nodes.big!.output).toBe(true);
    expect(state.nodes.small!.status).toBe('skipped');
    expect(overlapAll('/delay/200?t=cond-')).toBe(true);
    expect(Object.keys(state.nodes.join!.output as object)).toEqual(['p1', 'p2']);
  });

  it('runs a join after a condition exactly once', async () => {
    //              ┌─ true ──▶ yes ─┐
    // start ─▶ cond                 ├─▶ join ─▶ after(http)
    //              └─ false ─▶ no ──┘
    const def = graph()
      .trigger()
      .node('cond', 'condition', { expression: '{% $input.ok %}' })
      .set('yes', 'Y')
      .set('no', 'N')
      .node('join', 'merge')
      .http('after', url('/delay/1?t=join-once'))
      .edge('start', 'cond')
      .edge('cond', 'yes', 'true')
      .edge('cond', 'no', 'false')
      .edge('yes', 'join')
      .edge('no', 'join')
      .edge('join', 'after')
      .build();
    const { state } = await runGraph(env, def, { input: { ok: false } });
    expect(state.status).toBe('succeeded');
    expect(state.nodes).toMatchObject({ yes: { status: 'skipped' }, no: { status: 'succeeded' }, join: { status: 'succeeded', output: { no: 'N' } } });
    expect(requestsTo('/delay/1?t=join-once')).toHaveLength(1);
  });

  it('passes on only the winner of a merge "any" whose siblings end in the same workflow task', async () => {
    // start ─▶ setRed, setGreen, setBlue ─▶ first(any) ─▶ after
    const def = graph()
      .trigger()
      .set('setRed', 'red')
      .set('setGreen', 'green')
      .set('setBlue', 'blue')
      .node('first', 'merge', { mode: 'any' })
      .set('after', '{% $keys($nodes.first.output) %}')
      .edge('start', 'setRed')
      .edge('start', 'setGreen')
      .edge('start', 'setBlue')
      .edge('setRed', 'first')
      .edge('setGreen', 'first')
      .edge('setBlue', 'first')
      .edge('first', 'after')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    // All three ended before the merge ran; it passes on the one that made it ready, alone.
    for (const id of ['setRed', 'setGreen', 'setBlue']) expect(state.nodes[id]!.status).toBe('succeeded');
    const output = state.nodes.first!.output as Record<string, string>;
    expect(Object.keys(output)).toHaveLength(1);
    const [winner] = Object.keys(output);
    expect(output[winner!]).toBe({ setRed: 'red', setGreen: 'green', setBlue: 'blue' }[winner!]);
    expect(state.nodes.after!.output).toBe(winner);
    // The same winner on another run of the same graph: the order is the interpreter's, not a race.
    const again = await runGraph(env, def);
    expect(Object.keys(again.state.nodes.first!.output as object)).toEqual([winner]);
  });

  it('passes on only the first of a merge "any" whose siblings end in different workflow tasks', async () => {
    const def = graph()
      .trigger()
      .node('slow', 'delay', { duration: '3s' })
      .node('fast', 'delay', { duration: '1s' })
      .http('mid', url('/delay/10?t=any-mid'), {}, {})
      .node('first', 'merge', { mode: 'any' })
      .edge('start', 'slow')
      .edge('start', 'fast')
      .edge('start', 'mid')
      .edge('slow', 'first')
      .edge('fast', 'first')
      .edge('mid', 'first')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    expect(Object.keys(state.nodes.first!.output as object)).toEqual(['mid']);
    expect(state.nodes.slow!.status).toBe('succeeded');
  });

  it("runs a diamond's join once with both outputs", async () => {
    //          ┌─▶ left ──┐
    // start ───┤          ├──▶ join
    //          └─▶ right ─┘
    const def = graph()
      .trigger()
      .http('left', url('/delay/10?t=dia-l'))
      .http('right', url('/delay/30?t=dia-r'))
      .node('join', 'merge')
      .edge('start', 'left')
      .edge('start', 'right')
      .edge('left', 'join')
      .edge('right', 'join')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.join!.status).toBe('succeeded');
    expect(state.nodes.join!.output).toMatchObject({ left: { status: 200 }, right: { status: 200 } });
  });

  it('routes a switch to the first matching case, else default', async () => {
    const def = graph()
      .trigger()
      .node('tier', 'switch', {
        cases: [
          { handle: 'vip', expression: '{% $input.spend > 1000 %}' },
          { handle: 'regular', expression: '{% $input.spend > 0 %}' },
        ],
      })
      .set('vip', 'V')
      .set('regular', 'R')
      .set('none', 'N')
      .edge('start', 'tier')
      .edge('tier', 'vip', 'vip')
      .edge('tier', 'regular', 'regular')
      .edge('tier', 'none', 'default')
      .build();
    const regular = await runGraph(env, def, { input: { spend: 5 } });
    expect(regular.state.nodes).toMatchObject({ vip: { status: 'skipped' }, regular: { status: 'succeeded' }, none: { status: 'skipped' } });
    const nothing = await runGraph(env, def, { input: { spend: 0 } });
    expect(nothing.state.nodes.none!.status).toBe('succeeded');
  });

  it('fails a condition whose expression is not boolean, with a clear error', async () => {
    const def = graph().trigger().node('c', 'condition', { expression: '{% $input.name %}' }).set('y', 1).edge('start', 'c').edge('c', 'y', 'true').build();
    const { state, failure } = await runGraph(env, def, { input: { name: 'x' } });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(state.nodes.c!.error).toMatchObject({ type: FAILURE_TYPES.expression, message: expect.stringContaining('must yield a boolean') });
  });

  it('fires only the trigger the run names', async () => {
    const def = graph().trigger('web').trigger('cron').set('a', '{% $input %}').set('b', 2).edge('web', 'a').edge('cron', 'b').build();
    const { state } = await runGraph(env, def, { trigger: 'web', input: 'hello' });
    expect(state.nodes).toMatchObject({ web: { status: 'succeeded' }, a: { output: 'hello' }, cron: { status: 'skipped' }, b: { status: 'skipped' } });
  });
});

describe('the fail node', () => {
  it("ends the run with the error it names, from a condition's branch, and cancels what still runs", async () => {
    //        ┌─▶ slow (http 30 s)
    // start ─┤
    //        └─▶ pre (200 ms) ─▶ check ─true─▶ reject (fail)
    //                                 └false─▶ fine
    const def = graph()
      .trigger()
      .http('slow', `{% "${url('/delay/')}" & $input.slowMs & "?t=fail-slow" %}`)
      .http('pre', url('/delay/200?t=fail-pre'))
      .node('check', 'condition', { expression: '{% $input.total > 100 %}' })
      .node('reject', 'fail', {
        error: 'OrderRejected',
        message: '{% "total " & $input.total & " is over 100" %}',
        details: { total: '{% $input.total %}', by: 'check' },
      })
      .set('fine', 'ok')
      .edge('start', 'slow')
      .edge('start', 'pre')
      .edge('pre', 'check')
      .edge('check', 'reject', 'true')
      .edge('check', 'fine', 'false')
      .with({ onError: 'continue' })
      .build();
    const { state, failure } = await runGraph(env, def, { input: { total: 250, slowMs: 30000 } });
    expect(state.status).toBe('failed');
    expect(state.error).toEqual({
      type: 'OrderRejected',
      message: 'total 250 is over 100',
      details: { total: 250, by: 'check' },
      nodeId: 'reject',
      failedNodes: ['reject'],
    });
    expect(state.nodes.reject).toMatchObject({ status: 'failed', error: { type: 'OrderRejected', message: 'total 250 is over 100' } });
    // settings.onError is "continue" here: the fail node cancels the slow sibling and aborts its request all the same.
    expect(state.nodes.slow!.status).toBe('canceled');
    expect(requestsTo('/delay/30000?t=fail-slow')[0]!.aborted).toBe(true);
    expect(state.nodes.fine!.status).toBe('skipped');
    // The workflow's own failure carries the type people match on.
    expect(failure).toMatchObject({ type: 'OrderRejected', message: 'total 250 is over 100' });
    // The other branch: nothing fails.
    const other = await runGraph(env, def, { input: { total: 50, slowMs: 10 } });
    expect(other.state.status).toBe('succeeded');
    expect(other.state.nodes.reject!.status).toBe('skipped');
  });

  it('is the target of a switch case and of an onError "branch" edge', async () => {
    const def = graph()
      .trigger()
      .node('route', 'switch', { cases: [{ handle: 'bad', expression: '{% $input.kind = "bad" %}' }] })
      .node('badKind', 'fail', { error: 'UnknownKind', message: 'kind is bad' })
      .http('call', url('/status/404?t=fail-branch'), { onError: 'branch', retry: { maximumAttempts: 1 } })
      .node('callFailed', 'fail', { error: 'UpstreamRefused', message: '{% "upstream said " & $nodes.call.error.message %}' })
      .edge('start', 'route')
      .edge('route', 'badKind', 'bad')
      .edge('route', 'call', 'default')
      .edge('call', 'callFailed', 'error')
      .build();
    const bySwitch = await runGraph(env, def, { input: { kind: 'bad' } });
    expect(bySwitch.state.error).toMatchObject({ type: 'UnknownKind', message: 'kind is bad', nodeId: 'badKind' });
    const byBranch = await runGraph(env, def, { input: { kind: 'good' } });
    expect(byBranch.state.error).toMatchObject({ type: 'UpstreamRefused', nodeId: 'callFailed' });
    expect(byBranch.state.error!.message).toMatch(/^upstream said /);
    expect(byBranch.state.nodes.call!.status).toBe('failed');
  });
});

describe('errors and retries', () => {
  it('lets independent branches finish under onError "continue", then fails listing the failed node', async () => {
    // start ─▶ bad(500) ─▶ afterBad
    //   └────▶ good(100ms) ─▶ afterGood
    const def = graph()
      .trigger()
      .http('bad', url('/status/500?t=cont-bad'), { retry: { maximumAttempts: 1 } })
      .set('afterBad', 1)
      .http('good', url('/delay/100?t=cont-good'))
      .set('afterGood', 2)
      .edge('start', 'bad')
      .edge('bad', 'afterBad')
      .edge('start', 'good')
      .edge('good', 'afterGood')
      .with({ onError: 'continue' })
      .build();
    const { state, failure } = await runGraph(env, def);
    expect((failure as ApplicationFailure).type).toBe(FAILURE_TYPES.runFailed);
    expect(state.status).toBe('failed');
    expect(state.error?.failedNodes).toEqual(['bad']);
    expect(state.nodes).toMatchObject({
      bad: { status: 'failed' },
      afterBad: { status: 'skipped' },
      good: { status: 'succeeded' },
      afterGood: { status: 'succeeded' },
    });
  });

  it('fails fast: cancels a slow sibling and aborts its request', async () => {
    const def = graph()
      .trigger()
      .http('bad', url('/status/400?t=ff-bad'))
      .http('slow', url('/delay/60000?t=ff-slow'))
      .set('after', 1)
      .edge('start', 'bad')
      .edge('start', 'slow')
      .edge('slow', 'after')
      .build();
    const { state, failure } = await runGraph(env, def);
    expect((failure as ApplicationFailure).message).toContain('node bad failed');
    expect(state.nodes).toMatchObject({ bad: { status: 'failed' }, slow: { status: 'canceled' }, after: { status: 'canceled' } });
    const [slow] = requestsTo('/delay/60000?t=ff-slow');
    expect(slow!.aborted).toBe(true);
  });

  it('retries a flaky node: fails twice, succeeds on the third attempt', async () => {
    const def = graph()
      .trigger()
      .http('flaky', url('/flaky/three/2'), { retry: { maximumAttempts: 5, initialInterval: '1s' } })
      .edge('start', 'flaky')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.flaky).toMatchObject({ status: 'succeeded', attempts: 3, output: { body: { attempt: 3 } } });
    expect(target.count('/flaky/three/')).toBe(3);
  });

  it('does not retry a 404', async () => {
    const def = graph().trigger().http('missing', url('/status/404?t=no-retry')).edge('start', 'missing').build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.missing).toMatchObject({ status: 'failed', attempts: 1, error: { type: FAILURE_TYPES.httpClientError, retryable: false } });
    expect(requestsTo('/status/404?t=no-retry')).toHaveLength(1);
  });

  it('stops after maximumAttempts on a 503', async () => {
    const def = graph()
      .trigger()
      .http('down', url('/status/503?t=max-att'), { retry: { maximumAttempts: 3, initialInterval: '2s' } })
      .edge('start', 'down')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.down).toMatchObject({ status: 'failed', attempts: 3, error: { type: FAILURE_TYPES.httpServerError } });
    expect(requestsTo('/status/503?t=max-att')).toHaveLength(3);
  });

  it('routes onError "branch" to the error handle', async () => {
    //          ┌────────────▶ ok
    // start ─▶ call (branch)
    //          └─ error ────▶ fallback
    const def = graph()
      .trigger()
      .http('call', url('/status/404?t=branch'), { onError: 'branch' })
      .set('ok', 1)
      .set('fallback', '{% $nodes.call.error.type %}')
      .edge('start', 'call')
      .edge('call', 'ok')
      .edge('call', 'fallback', 'error')
      .build();
    const { state, failure } = await runGraph(env, def);
    expect(failure).toBeUndefined();
    expect(state.status).toBe('succeeded');
    expect(state.nodes).toMatchObject({
      call: { status: 'failed' },
      ok: { status: 'skipped' },
      fallback: { status: 'succeeded', output: FAILURE_TYPES.httpClientError },
    });
  });

  it('passes { error } downstream with onError "continue" on the node', async () => {
    const def = graph()
      .trigger()
      .http('call', url('/status/404?t=node-cont'), { onError: 'continue' })
      .set('next', '{% $nodes.call.output.error.type %}')
      .chain('start', 'call', 'next')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.status).toBe('succeeded');
    expect(state.nodes.next!.output).toBe(FAILURE_TYPES.httpClientError);
  });

  it('fails a node whose expression runs away, instead of hanging the workflow', async () => {
    const def = graph().trigger().set('loop', '{% ($f := function($x){ $f($x) }; $f(1)) %}').edge('start', 'loop').build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.loop).toMatchObject({
      status: 'failed',
      error: { type: FAILURE_TYPES.expression, message: expect.stringContaining('limit of 2500 evaluation steps'), details: { code: 'LIMIT_STEPS' } },
    });
  });

  it('passes __proto__ and constructor keys in input through as plain data', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "name": "Zoë ✓"}');
    const def = graph().trigger().set('copy', '{% $input %}').set('name', '{% $input.name %}').edge('start', 'copy').edge('start', 'name').build();
    const { state } = await runGraph(env, def, { input });
    expect(state.status).toBe('succeeded');
    expect(Object.keys(state.nodes.copy!.output as object)).toEqual(['__proto__', 'constructor', 'name']);
    expect(state.nodes.name!.output).toBe('Zoë ✓');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves node outputs out of a final state too large for a Temporal payload, and says so', async () => {
    const b = graph().trigger();
    for (let i = 0; i < 30; i++) b.set(`big${i}`, '{% $pad("", 20000, "x") %}').edge('start', `big${i}`);
    const { state } = await runGraph(env, b.build());
    expect(state.status).toBe('succeeded');
    expect(state.outputsOmitted).toBe(true);
    expect(state.nodes.big0).toMatchObject({ status: 'succeeded' });
    expect(state.nodes.big0!.output).toBeUndefined();
    expect(JSON.stringify(state).length).toBeLessThan(512 * 1024);
  });

  it('fails the run at once on an invalid definition', async () => {
    const { failure } = await runGraph(env, { nodes: [{ id: 'a', type: 'nope' }] });
    expect(failure).toMatchObject({ type: FAILURE_TYPES.invalidDefinition });
  });
});

describe('timers, state and cancellation', () => {
  it('completes a 7-day delay at once under time skipping', async () => {
    const def = graph()
      .trigger()
      .node('wait', 'delay', { duration: '7d' })
      .set('after', '{% $nodes.wait.output.waitedMs %}')
      .chain('start', 'wait', 'after')
      .build();
    const { state } = await runGraph(env, def);
    expect(state.nodes.after!.output).toBe(7 * 24 * 3600 * 1000);
    expect(state.metrics.wallMs).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
  });

  it('answers the state query while nodes run', async () => {
    const def = graph().trigger().http('slow', url('/delay/60000?t=query')).edge('start', 'slow').build();
    let seen: string[] = [];
    await runGraph(env, def, {
      during: async (handle) => {
        for (let i = 0; i < 200 && seen.length === 0; i++) {
          const s = await handle.query(stateQuery);
          if (s.nodes.slow?.status === 'running') seen = [s.status, s.nodes.start!.status, s.nodes.slow.startedAt ? 'has startedAt' : 'no startedAt'];
          else await new Promise((r) => setTimeout(r, 50));
        }
        await cancelAndSettle(handle); // no need to wait a minute
      },
    });
    expect(seen).toEqual(['running', 'succeeded', 'has startedAt']);
  });

  it('cancels a run: running activities see it and the request is aborted', async () => {
    const def = graph().trigger().http('long', url('/delay/60000?t=cancel-run')).set('after', 1).chain('start', 'long', 'after').build();
    const { state, failure } = await runGraph(env, def, {
      during: async (handle) => {
        for (let i = 0; i < 100 && requestsTo('/delay/60000?t=cancel-run').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
        await cancelAndSettle(handle);
      },
    });
    expect(failure).toBeDefined();
    expect(state.status).toBe('canceled');
    expect(state.nodes).toMatchObject({ long: { status: 'canceled' }, after: { status: 'canceled' } });
    expect(requestsTo('/delay/60000?t=cancel-run')[0]!.aborted).toBe(true);
  });

  it('resolves $secrets in the activity and keeps the value out of history', async () => {
    const def = graph()
      .trigger()
      .http('call', url('/delay/1?t=secret'), {}, { headers: { authorization: '{% "Bearer " & $secrets.API_KEY %}' } })
      .edge('start', 'call')
      .build();
    const { state, workflowId } = await runGraph(env, def, { activities: testActivities({ env: { BRAID_SECRET_API_KEY: 'hunter2-value' } }) });
    expect(state.status).toBe('succeeded');
    expect(requestsTo('/delay/1?t=secret')[0]!.headers.authorization).toBe('Bearer hunter2-value');
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain('hunter2-value');
  });
});
