/**
 * Cached nodes on Temporal's time-skipping server against a real local HTTP
 * target and a real (in-memory SQLite) cache: a second run with the same
 * data sends no request and shows where the output came from; other data, an
 * explicit key, expiry and secrets behave as documented.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createNodeCache } from '../../src/store/node-cache';
import { validateDefinition } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv, testActivities, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let target: HttpTarget;
let database: BraidDatabase;

beforeAll(async () => {
  [env, target, database] = await Promise.all([createTimeSkippingEnv(), startHttpTarget(), openDatabase({ kind: 'sqlite', file: ':memory:' })]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close(), database?.close()]);
});

const activities = (extra: Record<string, string> = {}) => testActivities({ nodeCache: createNodeCache(database.db), env: extra });
const sent = (tag: string) => target.requests.filter((r) => r.path.includes(tag)).length;

describe('node cache', () => {
  it('answers a second run from the cache: no request, `cached` in the node state, downstream reads it', async () => {
    const tag = uniqueId('cache');
    const def = graph('cached')
      .trigger()
      .http('lookup', `${target.url}/echo?t=${tag}`, { cache: { ttl: '10m' } })
      .node('use', 'set', { value: '{% $nodes.lookup.output.body.query.t %}' })
      .chain('start', 'lookup', 'use')
      .build();
    const first = await runGraph(env, def, { activities: activities() });
    expect(first.state.nodes.lookup!.cached).toBeUndefined();
    const second = await runGraph(env, def, { activities: activities() });
    expect(second.state.status).toBe('succeeded');
    expect(second.state.nodes.lookup).toMatchObject({ status: 'succeeded', attempts: 0, cached: { runId: first.workflowId } });
    expect(second.state.nodes.use!.output).toBe(tag);
    expect(sent(tag)).toBe(1);
    // Other data is another key: it runs.
    const other = JSON.parse(JSON.stringify(def).replace(`t=${tag}`, `t=${tag}-other`)) as typeof def;
    expect((await runGraph(env, other, { activities: activities() })).state.nodes.lookup!.cached).toBeUndefined();
    expect(sent(`${tag}-other`)).toBe(1);
  });

  it('keys by `cache.key` when given, and runs again once the entry expired', async () => {
    const tag = uniqueId('keyed');
    const def = (n: number) =>
      graph('keyed')
        .trigger()
        .http('price', `${target.url}/echo?t=${tag}&n=${n}`, { cache: { ttl: '1s', key: '{% "price-" & $input.sku %}' } })
        .edge('start', 'price')
        .build();
    // The cache's clock is the test's: a loaded machine cannot stretch a run past the TTL.
    let now = Date.now();
    const inner = createNodeCache(database.db);
    const clocked = testActivities({
      nodeCache: { get: (key) => inner.get(key, new Date(now)), put: (key, output, runId, ttlMs) => inner.put(key, output, runId, ttlMs, new Date(now)) },
    });
    await runGraph(env, def(1), { activities: clocked, input: { sku: 'A' } });
    // Different data, same key: the cache answers.
    now += 900;
    const hit = await runGraph(env, def(2), { activities: clocked, input: { sku: 'A' } });
    expect(hit.state.nodes.price!.cached).toBeDefined();
    expect(sent(tag)).toBe(1);
    now += 200;
    const expired = await runGraph(env, def(3), { activities: clocked, input: { sku: 'A' } });
    expect(expired.state.nodes.price!.cached).toBeUndefined();
    expect(sent(tag)).toBe(2);
  });

  it('keeps secret values out of keys and the store (the key sees the placeholder)', async () => {
    const tag = uniqueId('secret');
    const def = graph('cached-secret')
      .trigger()
      .http('call', `${target.url}/delay/1?t=${tag}`, { cache: { ttl: '10m' } }, { headers: { authorization: '{% "Bearer " & $secrets.API_KEY %}' } })
      .edge('start', 'call')
      .build();
    const run = (value: string) => runGraph(env, def, { activities: activities({ BRAID_SECRET_API_KEY: value }) });
    expect((await run('first-secret-value')).state.nodes.call!.cached).toBeUndefined();
    expect(target.requests.find((r) => r.path.includes(tag))!.headers.authorization).toBe('Bearer first-secret-value');
    expect(JSON.stringify(await database.db.selectFrom('node_cache').selectAll().execute())).not.toContain('first-secret-value');
    // Another secret value is the same key: the cache answers.
    expect((await run('second-secret-value')).state.nodes.call!.cached).toBeDefined();
    expect(sent(tag)).toBe(1);
  });

  it('refuses cache where sending twice is not harmless, or on a node that does not call out', () => {
    const problems = (node: Record<string, unknown>) => {
      const result = validateDefinition(
        {
          nodes: [
            { id: 'start', type: 'trigger' },
            { id: 'n', ...node },
          ],
          edges: [{ source: 'start', target: 'n' }],
        },
        BUILT_IN_CATALOG,
      );
      return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(problems({ type: 'http', data: { url: 'https://x.test/', method: 'POST' }, cache: { ttl: '1m' } })).toEqual([
      '$.nodes[1].cache: an http POST is cached only with an Idempotency-Key header (GET, HEAD and OPTIONS need none)',
    ]);
    expect(problems({ type: 'http', data: { url: 'https://x.test/', method: 'POST', headers: { 'Idempotency-Key': 'k' } }, cache: { ttl: '1m' } })).toEqual([]);
    expect(problems({ type: 'set', data: { value: 1 }, cache: { ttl: '1m' } })).toEqual([
      '$.nodes[1].cache: a set node cannot be cached: only http, activity and custom nodes can',
    ]);
    expect(problems({ type: 'http', data: { url: 'https://x.test/' }, cache: { ttl: 'soon' } })[0]).toMatch(/^\$\.nodes\[1\]\.cache\.ttl/);
  });
});
