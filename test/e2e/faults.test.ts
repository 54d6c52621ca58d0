/**
 * Faults with split processes (`npm run temporal`, `npm run worker`,
 * `npm run api`): the worker killed with SIGKILL mid-run, then the Temporal
 * server killed with SIGKILL mid-run and restarted on its SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSchema } from '../../src/api/schemas';
import { CHAIN_LENGTH, NODE_MS, listedRunIds, runWithCrash } from '../helpers/fault-scenarios';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import type { SplitStack } from '../helpers/split-stack';
import { startSplitStack } from '../helpers/split-stack';
import { stackAuth } from '../helpers/stack-token';
import { eventually } from '../helpers/sse';

let stack: SplitStack;
let target: HttpTarget;

beforeAll(async () => {
  target = await startHttpTarget();
  stack = await startSplitStack();
  await stack.startAll();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await target?.close();
});

describe('faults', () => {
  let firstRun: string;

  it('finishes a run whose worker was killed: completed nodes ran once, the one in flight at most twice', async () => {
    const report = await runWithCrash(
      stack,
      target,
      'worker-crash',
      () => stack.kill('worker'),
      async () => {
        await stack.start('worker');
      },
    );
    firstRun = report.runId;
    expect(report.status).toBe('succeeded');
    expect(report.completedBeforeCrash.length).toBeGreaterThanOrEqual(3);
    expect(report.completedOnce).toBe(true);
    expect(report.inFlightAtMostTwice).toBe(true);
    expect(Object.values(report.requestsPerNode).every((n) => n >= 1)).toBe(true);
  }, 120_000);

  it('finishes a run whose Temporal server was killed and restarted, and still lists earlier runs', async () => {
    const report = await runWithCrash(
      stack,
      target,
      'server-restart',
      () => stack.kill('temporal'),
      async () => {
        await stack.start('temporal');
      },
    );
    expect(report.status).toBe('succeeded');
    expect(report.completedOnce).toBe(true);
    expect(report.inFlightAtMostTwice).toBe(true);
    expect(await listedRunIds(stack)).toEqual(expect.arrayContaining([firstRun, report.runId]));
  }, 150_000);

  it("keeps projects and keys in Braid's database across a killed API, and runs in the project", async () => {
    const send = (method: string, path: string, body: unknown, token?: string) =>
      fetch(`${stack.api}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : stackAuth), 'content-type': 'application/json', prefer: 'wait=30' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await send('POST', '/v1/projects', { name: 'team' })).status).toBe(201);
    const made = await send('POST', '/v1/keys', { name: 'team-operator', roles: { team: 'operator' } });
    const { key } = (await made.json()) as { key: string };
    await stack.kill('api');
    await stack.start('api');
    const me = await eventually(async () => {
      const res = await fetch(`${stack.api}/v1/whoami`, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
      return res?.status === 200 ? ((await res.json()) as { roles: Record<string, string> }) : undefined;
    }, 60_000);
    expect(me.roles).toEqual({ team: 'operator' });
    const workflow = {
      name: 'kept',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'call', type: 'http', data: { url: `${target.url}/echo` } },
      ],
      edges: [{ source: 'start', target: 'call' }],
    };
    const started = await send('POST', '/v1/runs', { workflow, runId: 'after-restart' }, key);
    expect(await started.json()).toMatchObject({ runId: 'team~after-restart', status: 'succeeded' });
  }, 120_000);

  it('reads a finished run with no worker running', async () => {
    await stack.kill('worker');
    const res = await fetch(`${stack.api}/v1/runs/${firstRun}`, { headers: stackAuth });
    expect(res.status).toBe(200);
    const run = runSchema.parse(await res.json());
    expect(run.status).toBe('succeeded');
    expect(run.nodes.n10).toMatchObject({ status: 'succeeded', output: { status: 200 } });
    // Ten chained requests of 500 ms each: the critical path is at least their sum.
    expect(run.metrics.criticalPathMs).toBeGreaterThanOrEqual(CHAIN_LENGTH * NODE_MS);
  });
});
