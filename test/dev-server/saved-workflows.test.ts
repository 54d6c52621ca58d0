/**
 * Saved workflows, webhooks and schedules through the real API, a real
 * Temporal dev server (real Schedules) and a real worker, on each storage
 * backend: SQLite in a temp folder and PostgreSQL started for this file.
 */
import { createHmac } from 'node:crypto';
import { braidSignature } from '../../src/api/webhook-verify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Cron } from 'croner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { createRunStore } from '../../src/runs/run-store';
import { createSchedules, scheduleId } from '../../src/runs/schedules';
import {
  hookAcceptedSchema,
  problemSchema,
  runCreatedSchema,
  runListSchema,
  runSchema,
  savedVersionSchema,
  scheduleListSchema,
  validateOkSchema,
  workflowDetailSchema,
  workflowListSchema,
} from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import type { BraidDatabase, DatabaseOptions } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';
import { eventually } from '../helpers/sse';
import { createLocalEnv, createTestWorker, testActivities, uniqueId } from '../helpers/temporal';

const TOKEN = 'test-token';
const HOOK_SECRET = 'a webhook secret';
// GitHub's documented test key (src/api/webhook-verify.ts is tested with its example).
const GITHUB_KEY = "It's a Secret to Everybody";
const secrets: Record<string, string> = { HOOK_KEY: HOOK_SECRET, ORDER_HOOK: 'order hook secret', GITHUB_KEY };

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerDone: Promise<void>;
let postgres: TestPostgres;
const taskQueue = uniqueId('saved-tq');
const dir = mkdtempSync(join(tmpdir(), 'braid-saved-'));

beforeAll(async () => {
  [env, postgres] = await Promise.all([createLocalEnv(), startPostgres()]);
  worker = await createTestWorker(env, testActivities(), taskQueue);
  workerDone = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerDone;
  await Promise.all([env?.teardown(), postgres?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const sign = (body: string, key = HOOK_SECRET) => braidSignature(key, body, Math.floor(Date.now() / 1000));

/** Three triggers into one node that shows what `$input` held. */
const hookFlow = {
  name: 'ignored: the path names it',
  nodes: [
    { id: 'signed', type: 'trigger', data: { kind: 'webhook', secret: 'HOOK_KEY' }, position: { x: 0, y: 0 } },
    { id: 'open', type: 'trigger', data: { kind: 'webhook' } },
    { id: 'github', type: 'trigger', data: { kind: 'webhook', secret: 'GITHUB_KEY', verify: 'github' } },
    { id: 'byHand', type: 'trigger' },
    {
      id: 'echo',
      type: 'set',
      data: {
        value: {
          order: '{% $input.orderId %}',
          body: '{% $input.body %}',
          sender: '{% $input.headers."x-sender" %}',
          source: '{% $input.query.source %}',
          auth: '{% $input.headers.authorization %}',
        },
      },
    },
  ],
  edges: [
    { source: 'signed', target: 'echo' },
    { source: 'open', target: 'echo' },
    { source: 'github', target: 'echo' },
    { source: 'byHand', target: 'echo' },
  ],
};

const scheduleFlow = (extra: Record<string, unknown>[] = []) => ({
  nodes: [
    { id: 'weekdays', type: 'trigger', data: { kind: 'schedule', cron: '0 9 * * MON-FRI', timezone: 'Europe/Paris' } },
    ...extra,
    { id: 'wait', type: 'delay', data: { duration: '1ms' } },
  ],
  edges: [{ source: 'weekdays', target: 'wait' }, ...extra.map((n) => ({ source: n.id as string, target: 'wait' }))],
  settings: { scheduleOverlap: 'allowAll' },
});
const everySecond = { id: 'often', type: 'trigger', data: { kind: 'schedule', every: '1s' } };

const backends: { kind: string; options: () => Promise<DatabaseOptions> }[] = [
  { kind: 'sqlite', options: async () => ({ kind: 'sqlite', file: join(dir, 'braid.db') }) },
  { kind: 'postgres', options: async () => ({ kind: 'postgres', url: await postgres.createDatabase('braid_saved') }) },
];

describe.each(backends)('saved workflows on $kind', ({ kind, options }) => {
  let database: BraidDatabase;
  let app: ReturnType<typeof createApp>;
  const hooks = `hooks-${kind}`;
  const timed = `timed-${kind}`;

  beforeAll(async () => {
    database = await options().then(openDatabase);
    app = createApp({
      client: env.client,
      config: { namespace: 'default', taskQueue, temporalUiUrl: 'http://localhost:8233', maxBodyBytes: 1024 * 1024, rateLimitPerMinute: 0, apiToken: TOKEN },
      logger: silentLogger,
      repository: createWorkflowRepository(database.db),
      secret: (name) => secrets[name],
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const finished = (runId: string) =>
    eventually(async () => {
      const run = runSchema.parse(await (await call('GET', `/v1/runs/${runId}`)).json());
      return run.status === 'running' ? undefined : run;
    });
  const runsOf = async (query: string) => runListSchema.parse(await (await call('GET', `/v1/runs?${query}`)).json()).runs;

  it('PUT stores a version named by its content: 201 with Location, then 200 for the same body', async () => {
    const first = await call('PUT', `/v1/workflows/${hooks}`, hookFlow);
    expect(first.status).toBe(201);
    const saved = savedVersionSchema.parse(await first.json());
    expect(saved).toMatchObject({ name: hooks, created: true, latest: true });
    expect(first.headers.get('location')).toBe(`/v1/workflows/${hooks}/versions/${saved.version}`);

    // The same content with keys in another order is the same version.
    const reordered = { edges: hookFlow.edges, nodes: hookFlow.nodes, name: 'another body name' };
    const again = await call('PUT', `/v1/workflows/${hooks}`, reordered);
    expect(again.status).toBe(200);
    expect(savedVersionSchema.parse(await again.json())).toMatchObject({ version: saved.version, created: false });

    // What is stored is the body as sent, named by the path; it can be PUT back as is.
    const stored = (await (await call('GET', `/v1/workflows/${hooks}/versions/${saved.version}`)).json()) as typeof hookFlow;
    expect(stored).toEqual({ ...hookFlow, name: hooks });
    const back = await call('PUT', `/v1/workflows/${hooks}`, stored);
    expect(back.status).toBe(200);
    expect(savedVersionSchema.parse(await back.json()).version).toBe(saved.version);
  });

  it('an invalid definition gets the same 422 as /v1/workflows/validate; trigger fields are checked with their paths', async () => {
    const bad = {
      nodes: [
        { id: 'cron', type: 'trigger', data: { kind: 'schedule', cron: '61 * * * *' } },
        { id: 'zone', type: 'trigger', data: { kind: 'schedule', cron: '0 9 * * *', timezone: 'Mars/Olympus' } },
        { id: 'fast', type: 'trigger', data: { kind: 'schedule', every: '500ms' } },
        { id: 'x', type: 'set', data: { value: 1 } },
      ],
      edges: [
        { source: 'cron', target: 'x' },
        { source: 'zone', target: 'x' },
        { source: 'fast', target: 'x' },
      ],
    };
    const put = await call('PUT', `/v1/workflows/${hooks}-bad`, bad);
    const validate = await call('POST', '/v1/workflows/validate', bad);
    expect(put.status).toBe(422);
    expect(validate.status).toBe(422);
    const putErrors = problemSchema.parse(await put.json()).errors;
    expect(putErrors).toEqual(problemSchema.parse(await validate.json()).errors);
    expect(putErrors?.map((e) => e.path).sort()).toEqual(['$.nodes[0].data.cron', '$.nodes[1].data.timezone', '$.nodes[2].data.every']);

    const unknownSecret = { nodes: [{ id: 'h', type: 'trigger', data: { kind: 'webhook', secret: 'NOT_SET_ANYWHERE' } }] };
    const missing = await call('PUT', `/v1/workflows/${hooks}-bad`, unknownSecret);
    expect(missing.status).toBe(422);
    expect(problemSchema.parse(await missing.json()).errors).toEqual([
      { path: '$.nodes[0].data.secret', message: expect.stringContaining('BRAID_WEBHOOK_SECRET_NOT_SET_ANYWHERE') },
    ]);
    expect((await call('GET', `/v1/workflows/${hooks}-bad`)).status).toBe(404);
  });

  it('starts runs of the latest or a given version; every run records workflow name and version', async () => {
    const v1 = savedVersionSchema.parse(await (await call('PUT', `/v1/workflows/${hooks}`, hookFlow)).json()).version;
    const changed = { ...hookFlow, nodes: hookFlow.nodes.map((n) => (n.id === 'byHand' ? { ...n, label: 'By hand' } : n)) };
    const v2Res = await call('PUT', `/v1/workflows/${hooks}`, changed);
    expect(v2Res.status).toBe(201);
    const v2 = savedVersionSchema.parse(await v2Res.json()).version;
    expect(v2).not.toBe(v1);

    const detail = workflowDetailSchema.parse(await (await call('GET', `/v1/workflows/${hooks}`)).json());
    expect(detail.latestVersion).toBe(v2);
    expect(detail.versions.map((v) => [v.version, v.latest])).toEqual([
      [v2, true],
      [v1, false],
    ]);
    expect(detail.triggerKinds).toEqual(['manual', 'webhook']);
    expect((detail.definition as { name: string }).name).toBe(hooks);

    const latest = await call('POST', `/v1/workflows/${hooks}/runs`, { input: { orderId: 7 }, trigger: 'byHand' });
    expect(latest.status).toBe(201);
    const latestRun = await finished(runCreatedSchema.parse(await latest.json()).runId);
    expect(latestRun).toMatchObject({
      status: 'succeeded',
      name: hooks,
      workflow: { name: hooks, version: v2 },
      trigger: { id: 'byHand', kind: 'manual' },
      nodes: { signed: { status: 'skipped' }, echo: { status: 'succeeded', output: { order: 7 } } },
    });

    const older = await call('POST', `/v1/workflows/${hooks}/runs`, { version: v1, runId: `${hooks}-old-${kind}` });
    expect(older.status).toBe(201);
    expect((await finished(`${hooks}-old-${kind}`)).workflow).toEqual({ name: hooks, version: v1 });

    const byVersion = await eventually(async () => {
      const runs = await runsOf(`workflow=${hooks}&version=${v1}`);
      return runs.length > 0 ? runs : undefined;
    });
    expect(byVersion.map((r) => [r.runId, r.version])).toEqual([[`${hooks}-old-${kind}`, v1]]);

    expect((await call('POST', `/v1/workflows/${hooks}/runs`, { version: '0000000000000000' })).status).toBe(404);
    expect((await call('POST', `/v1/workflows/${hooks}/runs`, { trigger: 'echo' })).status).toBe(422);
    expect((await call('POST', '/v1/workflows/nothing-here/runs', {})).status).toBe(404);
    // A body that is not JSON is refused, not run as if it were empty; an unknown key names itself.
    const garbled = await call('POST', `/v1/workflows/${hooks}/runs`, '{"input": ');
    expect(garbled.status).toBe(400);
    expect(problemSchema.parse(await garbled.json()).type).toBe('/problems/malformed-json');
    const unknownKey = await call('POST', `/v1/workflows/${hooks}/runs`, { inptu: 1 });
    expect(unknownKey.status).toBe(422);
    expect(problemSchema.parse(await unknownKey.json()).errors?.map((e) => e.path)).toEqual(['$']);
    const dup = await call('POST', `/v1/workflows/${hooks}/runs`, { runId: `${hooks}-old-${kind}` });
    expect(dup.status).toBe(409);
    // Said once, by the run store, for every way a run starts: the id and the run's links.
    const taken = (await dup.json()) as { detail: string; links?: { self: string } };
    expect(taken.detail).toBe(`a run with id "${hooks}-old-${kind}" already exists`);
    expect(taken.links?.self).toBe(`/v1/runs/${hooks}-old-${kind}`);
  });

  it('lists saved workflows in pages', async () => {
    for (const n of ['a', 'b', 'c']) expect((await call('PUT', `/v1/workflows/list-${kind}-${n}`, { nodes: [{ id: 't', type: 'trigger' }] })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = workflowListSchema.parse(await (await call('GET', `/v1/workflows?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json());
      expect(page.workflows.length).toBeLessThanOrEqual(2);
      seen.push(...page.workflows.map((w) => w.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining([hooks, `list-${kind}-a`, `list-${kind}-b`, `list-${kind}-c`]));
  });

  it('a signed webhook starts the latest version only with a valid signature; $input sees body, headers and query', async () => {
    const body = JSON.stringify({ orderId: 42 });
    const path = `/v1/hooks/${hooks}/signed?source=shop`;
    const before = (await runsOf(`workflow=${hooks}&limit=100`)).length;

    // Without the key nothing tells a bad signature from a trigger that does not exist.
    const unsigned = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(404);
    const wrong = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-signature': sign(body, 'other key') },
      body,
    });
    expect(wrong.status).toBe(404);
    const tampered = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-signature': sign(body) },
      body: body.replace('42', '43'),
    });
    expect(tampered.status).toBe(404);
    const nowhere = await app.request(`/v1/hooks/${hooks}-missing/signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-signature': sign(body) },
      body,
    });
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { detail: string }).detail).toBe(((await wrong.clone().json()) as { detail: string }).detail);
    // The API token does not stand in for a signature.
    const tokenOnly = await call('POST', path, body);
    expect(tokenOnly.status).toBe(401);

    const ok = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-signature': sign(body), 'x-sender': 'shop-1', authorization: 'Bearer not-passed-on' },
      body,
    });
    expect(ok.status).toBe(202);
    const accepted = hookAcceptedSchema.parse(await ok.json());
    expect(accepted).toMatchObject({ status: 'running', trigger: 'signed', duplicate: false, workflow: { name: hooks } });
    const run = await finished(accepted.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      input: { orderId: 42 },
      trigger: { id: 'signed', kind: 'webhook' },
      nodes: { open: { status: 'skipped' }, echo: { output: { order: 42, body: { orderId: 42 }, sender: 'shop-1', source: 'shop' } } },
    });
    // Credentials never reach the run.
    expect((run.nodes.echo?.output as Record<string, unknown>).auth).toBeUndefined();
    expect(JSON.stringify(run)).not.toContain('not-passed-on');
    // The refused deliveries started nothing.
    expect((await runsOf(`workflow=${hooks}&limit=100`)).length).toBe(before + 1);
  });

  it('refuses a Braid signature used twice or older than five minutes; the same Idempotency-Key with another body is a 409', async () => {
    const path = `/v1/hooks/${hooks}/signed`;
    const post = (body: string, headers: Record<string, string>) =>
      app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const body = JSON.stringify({ orderId: 7 });
    const signature = sign(body);
    expect((await post(body, { 'x-braid-signature': signature })).status).toBe(202);
    // A captured delivery sent again: refused, like any bad signature.
    expect((await post(body, { 'x-braid-signature': signature })).status).toBe(404);
    const stale = braidSignature(HOOK_SECRET, body, Math.floor(Date.now() / 1000) - 301);
    expect((await post(body, { 'x-braid-signature': stale })).status).toBe(404);

    const key = { 'idempotency-key': `same-key-${kind}` };
    const keyed = JSON.stringify({ orderId: 9 });
    expect((await post(keyed, { ...key, 'x-braid-signature': sign(keyed) })).status).toBe(202);
    const other = JSON.stringify({ orderId: 8 });
    const conflict = await post(other, { ...key, 'x-braid-signature': sign(other) });
    expect(conflict.status).toBe(409);
  });

  it('verifies GitHub deliveries; a redelivery (same X-GitHub-Delivery) answers as the first did', async () => {
    const path = `/v1/hooks/${hooks}/github`;
    const body = JSON.stringify({ action: 'opened', orderId: 'gh-1' });
    const signature = `sha256=${createHmac('sha256', GITHUB_KEY).update(body).digest('hex')}`;
    const deliver = (sig: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, 'x-github-delivery': `guid-${kind}`, 'x-github-event': 'issues' },
        body,
      });
    expect((await deliver(signature.replace(/.$/, '0'))).status).toBe(404);
    const first = await deliver(signature);
    expect(first.status).toBe(202);
    const a = hookAcceptedSchema.parse(await first.json());
    const again = await deliver(signature);
    expect(again.status).toBe(200);
    expect(hookAcceptedSchema.parse(await again.json())).toMatchObject({ runId: a.runId, duplicate: true });
    const run = await finished(a.runId);
    expect(run.nodes.echo?.output).toMatchObject({ order: 'gh-1' });
    // The signature headers never reach the run.
    expect(JSON.stringify(run)).not.toContain(signature.slice(7));
  });

  it('an unsigned webhook needs the API token; Idempotency-Key returns the first delivery', async () => {
    const path = `/v1/hooks/${hooks}/open`;
    const anonymous = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(404);

    const first = await call('POST', path, { orderId: 1 }, { 'idempotency-key': `delivery-${kind}` });
    expect(first.status).toBe(202);
    const a = hookAcceptedSchema.parse(await first.json());
    const retry = await call('POST', path, { orderId: 1 }, { 'idempotency-key': `delivery-${kind}` });
    expect(retry.status).toBe(200);
    const b = hookAcceptedSchema.parse(await retry.json());
    expect(b).toMatchObject({ runId: a.runId, duplicate: true });
    const other = await call('POST', path, { orderId: 2 }, { 'idempotency-key': `delivery-${kind}-2` });
    expect(other.status).toBe(202);
    expect(hookAcceptedSchema.parse(await other.json()).runId).not.toBe(a.runId);
    expect((await finished(a.runId)).nodes.echo?.output).toMatchObject({ order: 1 });

    // An empty body is a null input; a body that is not JSON is refused.
    const empty = await call('POST', path, '');
    expect(empty.status).toBe(202);
    expect((await finished(hookAcceptedSchema.parse(await empty.json()).runId)).input).toBeNull();
    const garbled = await call('POST', path, '{not json');
    expect(garbled.status).toBe(400);
    // The same problem type as POST /v1/runs with a body that is not JSON.
    expect(((await garbled.json()) as { type: string }).type).toBe('/problems/malformed-json');
  });

  it('answers 404 for unknown workflows and triggers, and for /v1/hooks/:name when it is ambiguous', async () => {
    expect((await call('POST', `/v1/hooks/${hooks}/byHand`, {})).status).toBe(404);
    expect((await call('POST', `/v1/hooks/${hooks}/nope`, {})).status).toBe(404);
    expect((await call('POST', '/v1/hooks/no-such-workflow/x', {})).status).toBe(404);
    const ambiguous = await call('POST', `/v1/hooks/${hooks}`, {});
    expect(ambiguous.status).toBe(404);
    expect(problemSchema.parse(await ambiguous.json()).detail).toContain('3 webhook triggers');

    const single = `single-${kind}`;
    await call('PUT', `/v1/workflows/${single}`, {
      nodes: [
        { id: 'in', type: 'trigger', data: { kind: 'webhook' } },
        { id: 'x', type: 'set', data: { value: '{% $input.n %}' } },
      ],
      edges: [{ source: 'in', target: 'x' }],
    });
    const res = await call('POST', `/v1/hooks/${single}`, { n: 5 });
    expect(res.status).toBe(202);
    expect((await finished(hookAcceptedSchema.parse(await res.json()).runId)).nodes.x?.output).toBe(5);
  });

  it('schedule triggers are Temporal Schedules that start the latest version; pause, unpause and run now work', async () => {
    const put = await call('PUT', `/v1/workflows/${timed}`, scheduleFlow([everySecond]));
    expect(put.status).toBe(201);
    const v1 = savedVersionSchema.parse(await put.json()).version;

    const listed = scheduleListSchema.parse(await (await call('GET', `/v1/workflows/${timed}/schedules`)).json()).schedules;
    expect(listed.map((s) => s.scheduleId).sort()).toEqual([scheduleId(timed, 'often'), scheduleId(timed, 'weekdays')]);
    const weekdays = listed.find((s) => s.triggerId === 'weekdays')!;
    expect(weekdays).toMatchObject({ spec: { cron: '0 9 * * MON-FRI', timezone: 'Europe/Paris' }, overlap: 'allowAll', paused: false, version: v1 });
    // Temporal's next times are the ones cron gives for 09:00 Paris time on weekdays.
    const expected = new Cron('0 9 * * MON-FRI', { timezone: 'Europe/Paris', paused: true }).nextRuns(3).map((d) => d.toISOString());
    expect(weekdays.nextRunTimes.slice(0, 3)).toEqual(expected);

    // The 1 s schedule fires on its own: a run of this version, fired by that trigger.
    const scheduled = await eventually(async () => {
      const runs = await runsOf(`workflow=${timed}&version=${v1}`);
      return runs.length > 0 ? runs : undefined;
    }, 30_000);
    const fired = await finished(scheduled[0]!.runId);
    expect(fired).toMatchObject({ status: 'succeeded', workflow: { name: timed, version: v1 }, trigger: { id: 'often', kind: 'schedule' } });
    expect(fired.nodes.weekdays?.status).toBe('skipped');

    expect((await call('POST', `/v1/workflows/${timed}/schedules/often/pause`, { note: 'maintenance' })).status).toBe(202);
    const paused = scheduleListSchema
      .parse(await (await call('GET', `/v1/workflows/${timed}/schedules`)).json())
      .schedules.find((s) => s.triggerId === 'often');
    expect(paused).toMatchObject({ paused: true, note: 'maintenance' });
    expect(paused!.recentRuns.length).toBeGreaterThan(0);
    expect((await call('POST', `/v1/workflows/${timed}/schedules/often/unpause`)).status).toBe(202);
    expect(
      scheduleListSchema.parse(await (await call('GET', `/v1/workflows/${timed}/schedules`)).json()).schedules.find((s) => s.triggerId === 'often')?.paused,
    ).toBe(false);

    // Run now: the weekday schedule starts a run at once.
    expect((await call('POST', `/v1/workflows/${timed}/schedules/weekdays/trigger`)).status).toBe(202);
    const manual = await eventually(async () => {
      const s = scheduleListSchema
        .parse(await (await call('GET', `/v1/workflows/${timed}/schedules`)).json())
        .schedules.find((x) => x.triggerId === 'weekdays');
      return s && s.recentRuns.length > 0 ? s.recentRuns[0] : undefined;
    });
    expect(await finished(manual.runId)).toMatchObject({ trigger: { id: 'weekdays', kind: 'schedule' }, status: 'succeeded' });
    expect((await call('POST', `/v1/workflows/${timed}/schedules/nope/pause`)).status).toBe(404);

    // A version without the 1 s trigger deletes its schedule and moves the other to the new version.
    const v2 = savedVersionSchema.parse(await (await call('PUT', `/v1/workflows/${timed}`, scheduleFlow())).json()).version;
    await expect(env.client.schedule.getHandle(scheduleId(timed, 'often')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    const after = scheduleListSchema.parse(await (await call('GET', `/v1/workflows/${timed}/schedules`)).json()).schedules;
    expect(after.map((s) => [s.triggerId, s.version])).toEqual([['weekdays', v2]]);
    const described = await env.client.schedule.getHandle(scheduleId(timed, 'weekdays')).describe();
    expect(described.action.type).toBe('startWorkflow');
  });

  it('DELETE removes the workflow and its schedules; a run in flight finishes', async () => {
    const slow = {
      nodes: [
        { id: 't', type: 'trigger' },
        { id: 'pause', type: 'delay', data: { duration: '2s' } },
      ],
      edges: [{ source: 't', target: 'pause' }],
    };
    const name = `gone-${kind}`;
    await call('PUT', `/v1/workflows/${name}`, {
      ...slow,
      nodes: [...slow.nodes, { id: 'cron', type: 'trigger', data: { kind: 'schedule', cron: '@daily' } }],
      edges: [...slow.edges, { source: 'cron', target: 'pause' }],
    });
    const started = runCreatedSchema.parse(await (await call('POST', `/v1/workflows/${name}/runs`, { trigger: 't' })).json());
    const del = await call('DELETE', `/v1/workflows/${name}`);
    expect(del.status).toBe(204);
    expect((await call('GET', `/v1/workflows/${name}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/workflows/${name}`)).status).toBe(404);
    await expect(env.client.schedule.getHandle(scheduleId(name, 'cron')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await finished(started.runId)).status).toBe('succeeded');

    // Clean up this backend's schedules so the other backend's run sees only its own.
    await call('DELETE', `/v1/workflows/${timed}`);
    await expect(env.client.schedule.getHandle(scheduleId(timed, 'weekdays')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('the saved-workflow example saves, creates its two schedules and takes a signed order', async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'saved', 'order-intake.json'), 'utf8')) as unknown;
    const name = `order-intake-${kind}`;
    expect((await call('PUT', `/v1/workflows/${name}`, example)).status).toBe(201);
    const schedules = scheduleListSchema.parse(await (await call('GET', `/v1/workflows/${name}/schedules`)).json()).schedules;
    expect(schedules.map((s) => [s.triggerId, s.spec])).toEqual([
      ['nightly', { cron: '0 2 * * *', timezone: 'Europe/Paris' }],
      ['often', { every: '15m' }],
    ]);
    const body = JSON.stringify({ orderId: 'A-17' });
    const res = await app.request(`/v1/hooks/${name}?channel=web`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'shop/1.0', 'x-braid-signature': sign(body, 'order hook secret') },
      body,
    });
    expect(res.status).toBe(202);
    const run = await finished(hookAcceptedSchema.parse(await res.json()).runId);
    expect(run.nodes.order?.output).toEqual({ orderId: 'A-17', sender: 'shop/1.0', channel: 'web' });
    expect(run.nodes.sweep?.status).toBe('skipped');
    expect((await call('DELETE', `/v1/workflows/${name}`)).status).toBe(204);
  });

  it('a schedule spec Temporal refuses (past validation) becomes a 422 naming the field', async () => {
    const schedules = createSchedules({
      client: env.client,
      taskQueue,
      namespace: 'default',
      temporalUiUrl: 'http://ui',
      runs: createRunStore({ client: env.client, namespace: 'default', taskQueue, temporalUiUrl: 'http://ui' }),
    });
    const refused = schedules.sync({
      name: `refused-${kind}`,
      version: '0123456789abcdef',
      definition: {},
      triggers: [{ id: 'last', index: 3, kind: 'schedule', cron: '0 0 L * *' }],
      overlap: 'skip',
    });
    await expect(refused).rejects.toMatchObject({
      kind: 'validation',
      extra: { errors: [{ path: '$.nodes[3].data.cron', message: expect.stringContaining('Temporal refused') }] },
    });
  });

  it('validate still answers for definitions with every trigger kind', async () => {
    const res = await call('POST', '/v1/workflows/validate', scheduleFlow([everySecond]));
    expect(res.status).toBe(200);
    expect(validateOkSchema.parse(await res.json()).stats.triggers).toBe(2);
  });
});
