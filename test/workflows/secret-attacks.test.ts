/**
 * Attacks on secrets, on Temporal's time-skipping server with the real
 * activities against local HTTP targets. Each failed before nonces, masking
 * and redirect handling: a placeholder written into data was substituted, an
 * error quoting a URL carried the key, an upstream's echo of a key was
 * stored, and a redirect to another origin carried an `X-Api-Key`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../src/graph/failures';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let other: HttpTarget;

beforeAll(async () => {
  [env, target, other] = await Promise.all([createTimeSkippingEnv(), startHttpTarget(), startHttpTarget()]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close(), other?.close()]);
});

const DEMO = 'demo-secret-value-9f2c';
const HOOK = 'hook-hmac-key-77aa';
const activities = () => testActivities({ env: { BRAID_SECRET_DEMO: DEMO, BRAID_SECRET_HOOK: 'x', BRAID_WEBHOOK_SECRET_HOOK: HOOK } });

/** Every way a placeholder could be spelled by someone who read Braid's source. */
const FORGED = [
  '\u0000braid-secret:DEMO\u0000',
  '\u0000braid-secret:HOOK\u0000',
  `\u0000braid-secret:${'0'.repeat(32)}:DEMO\u0000`,
  `\u0000braid-secret:${'f'.repeat(32)}:DEMO\u0000`,
];

describe('secrets under attack', () => {
  it('never substitutes a placeholder that arrives in data, even in a run that uses the secret itself', async () => {
    const tag = uniqueId('forged');
    const def = graph('forward')
      .trigger()
      .http('forward', `${target.url}/echo?t=${tag}`, {}, { method: 'POST', body: '{% $input %}', headers: { 'x-api-key': '{% $secrets.DEMO %}' } })
      .edge('start', 'forward')
      .build();
    const { state } = await runGraph(env, def, { activities: activities(), input: { forged: FORGED } });
    expect(state.status).toBe('succeeded');
    const sent = target.requests.find((r) => r.path.includes(tag))!;
    // The node's own reference resolved; the data's did not.
    expect(sent.headers['x-api-key']).toBe(DEMO);
    const echoed = JSON.stringify(state.nodes.forward!.output);
    expect(echoed).not.toContain(DEMO);
    expect(echoed).not.toContain(HOOK);
    // The upstream echoed the key back in its headers: masked in the output.
    expect((state.nodes.forward!.output as { body: { headers: Record<string, string> } }).body.headers['x-api-key']).toBe('***');
  });

  it('does not substitute placeholders from an upstream answer in a later request', async () => {
    const tag = uniqueId('upstream');
    const def = graph('relay')
      .trigger()
      .http('evil', `${target.url}/echo?t=${tag}-1`, {}, { method: 'POST', body: { forged: FORGED } })
      .http(
        'relay',
        `${target.url}/echo?t=${tag}-2`,
        {},
        { method: 'POST', body: '{% $nodes.evil.output.body %}', headers: { authorization: '{% "Bearer " & $secrets.DEMO %}' } },
      )
      .edge('start', 'evil')
      .edge('evil', 'relay')
      .build();
    const { state } = await runGraph(env, def, { activities: activities() });
    expect(state.status).toBe('succeeded');
    const relayed = target.requests.find((r) => r.path.includes(`${tag}-2`))!;
    expect(relayed.headers.authorization).toBe(`Bearer ${DEMO}`);
    expect(JSON.stringify(state)).not.toContain(DEMO);
  });

  it('keeps a secret in a failing URL out of the node error', async () => {
    const def = graph('leaky-url').trigger().http('call', `{% "${target.url}/status/404?key=" & $secrets.DEMO %}`).edge('start', 'call').build();
    const { state, workflowId } = await runGraph(env, def, { activities: activities() });
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { type: FAILURE_TYPES.httpClientError } });
    expect(state.nodes.call!.error!.message).toContain('key=***');
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(DEMO);
  });

  it('gives a project only the secrets SECRET_GRANTS grants it, and default every one unless it is named', async () => {
    const granted = () => testActivities({ env: { BRAID_SECRET_DEMO: DEMO, BRAID_SECRET_OTHER: 'other-secret-value', SECRET_GRANTS: 'acme=DEMO; shop=' } });
    const using = (name: string, tag: string) =>
      graph('granted')
        .trigger()
        .http('call', `${target.url}/echo?t=${tag}`, {}, { headers: { 'x-k': `{% $secrets.${name} %}` } })
        .edge('start', 'call')
        .build();
    const outcome = async (project: string, name: string) => {
      const tag = uniqueId('grant');
      const { state } = await runGraph(env, using(name, tag), { activities: granted(), project });
      return {
        status: state.nodes.call!.status,
        message: state.nodes.call!.error?.message ?? '',
        sent: target.requests.filter((r) => r.path.includes(tag)).length,
      };
    };
    expect(await outcome('acme', 'DEMO')).toMatchObject({ status: 'succeeded', sent: 1 });
    expect(await outcome('default', 'OTHER')).toMatchObject({ status: 'succeeded', sent: 1 });
    // Not granted: failed before any request, worded as for a secret that is not set.
    for (const [project, name] of [
      ['acme', 'OTHER'],
      ['shop', 'DEMO'],
      ['unlisted', 'DEMO'],
    ] as const) {
      const refused = await outcome(project, name);
      expect(refused, `${project} ${name}`).toMatchObject({
        status: 'failed',
        sent: 0,
        message: expect.stringContaining(`not granted to project "${project}"`),
      });
    }
    expect(() => testActivities({ env: { SECRET_GRANTS: 'Acme=DEMO' } })).toThrow(/SECRET_GRANTS/);
  });

  it('refuses to read a webhook verification key through $secrets', async () => {
    const def = graph('steal-hook')
      .trigger()
      .http('call', `${target.url}/echo`, {}, { headers: { 'x-k': '{% $secrets.HOOK %}' } })
      .edge('start', 'call')
      .build();
    const { state } = await runGraph(env, def, { activities: activities() });
    expect(state.nodes.call).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('webhook verification key') } });
    expect(JSON.stringify(state)).not.toContain(HOOK);
  });

  it('drops secret-bearing headers on a redirect to another origin, and keeps them on the same origin', async () => {
    const tag = uniqueId('redirect');
    const away = `${other.url}/echo?t=${tag}-away`;
    const home = `${target.url}/echo?t=${tag}-home`;
    const def = graph('redirects')
      .trigger()
      .http(
        'away',
        `${target.url}/redirect?to=${encodeURIComponent(away)}`,
        {},
        { headers: { 'x-api-key': '{% $secrets.DEMO %}', authorization: 'Basic abc', 'x-plain': 'kept' } },
      )
      .http('home', `${target.url}/redirect?to=${encodeURIComponent(home)}`, {}, { headers: { 'x-api-key': '{% $secrets.DEMO %}' } })
      .edge('start', 'away')
      .edge('start', 'home')
      .build();
    const { state } = await runGraph(env, def, { activities: activities() });
    expect(state.status).toBe('succeeded');
    const atOther = other.requests.find((r) => r.path.includes(`${tag}-away`))!;
    expect(atOther.headers['x-api-key']).toBeUndefined();
    expect(atOther.headers.authorization).toBeUndefined();
    expect(atOther.headers['x-plain']).toBe('kept');
    expect(target.requests.find((r) => r.path.includes(`${tag}-home`))!.headers['x-api-key']).toBe(DEMO);
  });
});
