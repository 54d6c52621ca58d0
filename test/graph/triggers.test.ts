import { describe, expect, it } from 'vitest';
import { webhookInput } from '../../src/graph/run-state';
import { cronProblem, triggerKinds, triggersOf, validateWorkflow } from '../../src/graph/triggers';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const withTrigger = (data: unknown) => ({
  nodes: [
    { id: 'in', type: 'trigger', ...(data === undefined ? {} : { data }) },
    { id: 'x', type: 'set', data: { value: 1 } },
  ],
  edges: [{ source: 'in', target: 'x' }],
});

function problems(def: unknown) {
  const result = validateWorkflow(def, BUILT_IN_CATALOG);
  return result.ok ? [] : result.issues.map((i) => [i.path, i.message]);
}

describe('trigger kinds', () => {
  // Each row: trigger data that is valid, and the spec it yields.
  const valid: [string, unknown, object][] = [
    ['no data: manual', undefined, { kind: 'manual' }],
    ['manual with a label', { kind: 'manual', label: 'Run' }, { kind: 'manual' }],
    ['webhook', { kind: 'webhook' }, { kind: 'webhook' }],
    ['signed webhook', { kind: 'webhook', secret: 'GITHUB_HOOK' }, { kind: 'webhook', secret: 'GITHUB_HOOK' }],
    ['cron', { kind: 'schedule', cron: '0 9 * * MON-FRI' }, { kind: 'schedule', cron: '0 9 * * MON-FRI' }],
    ['cron in a zone', { kind: 'schedule', cron: '*/15 * * * *', timezone: 'Europe/Paris' }, { timezone: 'Europe/Paris' }],
    ['cron alias', { kind: 'schedule', cron: '@daily' }, { cron: '@daily' }],
    ['interval', { kind: 'schedule', every: '15m' }, { kind: 'schedule', every: '15m' }],
    ['one-second interval', { kind: 'schedule', every: '1s' }, { every: '1s' }],
  ];
  it.each(valid)('accepts %s', (_name, data, spec) => {
    const result = validateWorkflow(withTrigger(data), BUILT_IN_CATALOG);
    expect(result.ok).toBe(true);
    if (result.ok) expect(triggersOf(result.graph)[0]).toMatchObject({ id: 'in', ...spec });
  });

  // Each row: bad trigger data, the path and part of the message it must produce.
  const invalid: [string, unknown, string, RegExp][] = [
    ['unknown kind', { kind: 'email' }, '$.nodes[0].data.kind', /manual|webhook|schedule/],
    ['cron out of range', { kind: 'schedule', cron: '61 * * * *' }, '$.nodes[0].data.cron', /minute/],
    ['cron with seconds', { kind: 'schedule', cron: '0 0 9 * * MON' }, '$.nodes[0].data.cron', /5 fields/],
    ['cron nonsense', { kind: 'schedule', cron: 'every day' }, '$.nodes[0].data.cron', /5 fields/],
    ['unknown zone', { kind: 'schedule', cron: '0 9 * * *', timezone: 'Mars/Olympus' }, '$.nodes[0].data.timezone', /IANA/],
    ['zone without cron', { kind: 'schedule', every: '1h', timezone: 'UTC' }, '$.nodes[0].data.timezone', /cron/],
    ['interval under a second', { kind: 'schedule', every: '999ms' }, '$.nodes[0].data.every', /at least 1 s/],
    ['interval not a duration', { kind: 'schedule', every: 'often' }, '$.nodes[0].data.every', /duration/],
    ['schedule with neither', { kind: 'schedule' }, '$.nodes[0].data', /exactly one of "cron" or "every"/],
    ['schedule with both', { kind: 'schedule', cron: '@daily', every: '1h' }, '$.nodes[0].data', /exactly one/],
    ['secret on a schedule', { kind: 'schedule', every: '1h', secret: 'X' }, '$.nodes[0].data.secret', /only a "webhook"/],
    ['cron on a webhook', { kind: 'webhook', cron: '@daily' }, '$.nodes[0].data.cron', /only a "schedule"/],
    ['secret on a manual trigger', { secret: 'X' }, '$.nodes[0].data.secret', /"manual"/],
    ['secret not a name', { kind: 'webhook', secret: 'my secret' }, '$.nodes[0].data.secret', /secret name/],
    ['typo', { kind: 'webhook', secrte: 'X' }, '$.nodes[0].data', /secrte/],
  ];
  it.each(invalid)('refuses %s, naming the field', (_name, data, path, message) => {
    const found = problems(withTrigger(data));
    expect(found, JSON.stringify(found)).toContainEqual([path, expect.stringMatching(message)]);
  });

  it('reports a bad cron beside every other problem of the definition', () => {
    const def = withTrigger({ kind: 'schedule', cron: '99 * * * *' });
    def.nodes.push({ id: 'y', type: 'nope' } as never);
    expect(problems(def).map(([path]) => path)).toEqual(expect.arrayContaining(['$.nodes[0].data.cron', '$.nodes[2].type']));
  });

  it('lists the kinds in a fixed order', () => {
    expect(
      triggerKinds([
        { id: 'a', kind: 'schedule' },
        { id: 'b', kind: 'manual' },
        { id: 'c', kind: 'schedule' },
      ]),
    ).toEqual(['manual', 'schedule']);
  });

  it('cronProblem accepts five fields and the @ aliases only', () => {
    expect(cronProblem('0 9 * * MON-FRI')).toBeUndefined();
    expect(cronProblem('  @Hourly ')).toBeUndefined();
    expect(cronProblem('@every 5m')).toMatch(/5 fields/);
    expect(cronProblem('0 9 * * MON-FRI 2027')).toMatch(/got 6/);
    expect(cronProblem('0 0 1 JUL,AUG WED')).toBeUndefined();
    // What Temporal's parser refuses (checked against the dev server) is refused at save time.
    for (const cron of ['0 0 L * *', '0 0 ? * MON', '0 0 1W * *', '0 0 * * 5L', '0 0 * * 5#3']) expect(cronProblem(cron), cron).toMatch(/Temporal/);
  });
});

describe('webhookInput', () => {
  const request = { headers: { 'x-sender': 'shop' }, query: { source: 'web', tag: ['a', 'b'] } };

  it("spreads an object body's keys and adds body, headers and query", () => {
    expect(webhookInput({ orderId: 7 }, request)).toEqual({ orderId: 7, body: { orderId: 7 }, headers: request.headers, query: request.query });
  });

  it("keeps the request's meaning for body, headers and query even when the body has those keys", () => {
    const body = { headers: 'mine', query: 1, body: 2 };
    expect(webhookInput(body, request)).toEqual({ body, headers: request.headers, query: request.query });
  });

  it.each([[[1, 2]], ['text'], [null], [3]])('carries a non-object body %j under body only', (body) => {
    expect(webhookInput(body, request)).toEqual({ body, headers: request.headers, query: request.query });
  });
});
