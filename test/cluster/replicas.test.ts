/**
 * Two API replicas give the answers of one: finished runs are counted once
 * in braid_runs_finished_total summed over the replicas, both report the
 * same readiness (Braid's database included), and the cluster is the shape
 * it claims: every part its own process, two history hosts in membership.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PARTS } from '../../src/cluster/topology';
import { useCluster } from './context';

const ctx = useCluster();

async function finishedTotal(replica: 0 | 1, workflow: string): Promise<number> {
  const text = await (await ctx.call(replica, 'GET', '/metrics')).text();
  const families = parsePrometheusTextFormat(text) as { name: string; metrics: { labels?: Record<string, string>; value: string }[] }[];
  const family = families.find((f) => f.name === 'braid_runs_finished_total');
  return (family?.metrics ?? []).filter((m) => m.labels?.workflow === workflow).reduce((sum, m) => sum + Number(m.value), 0);
}

describe('replicas and topology', () => {
  it('counts each finished run once over both API replicas', async () => {
    // A saved workflow: its name is its runs' metric label (ad-hoc graphs all count as `adhoc`).
    const workflow = `cluster-count-${Date.now()}`;
    const saved = await ctx.json(0, 'PUT', `/v1/workflows/${workflow}`, {
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'v', type: 'set', data: { value: '{% $input.i %}' } },
      ],
      edges: [{ source: 'start', target: 'v' }],
    });
    expect(saved.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const started = await ctx.json((i % 2) as 0 | 1, 'POST', `/v1/workflows/${workflow}/runs`, { input: { i } });
      expect(started.status).toBe(201);
      ids.push(started.body.runId);
    }
    for (const id of ids) await ctx.finished(0, id);
    // Scrape both replicas, several times each, in turn, until visibility shows all six.
    let sum = 0;
    for (let round = 0; round < 40 && sum < 6; round++) {
      sum = (await finishedTotal(0, workflow)) + (await finishedTotal(1, workflow));
      if (sum < 6) await new Promise((r) => setTimeout(r, 500));
    }
    expect(sum).toBe(6);
    // More scrapes count nothing again.
    expect((await finishedTotal(1, workflow)) + (await finishedTotal(0, workflow))).toBe(6);
  });

  it('both replicas report Temporal, a warm worker and the database ready', async () => {
    for (const replica of [0, 1] as const) {
      const res = await ctx.json(replica, 'GET', '/readyz');
      expect(res.status).toBe(200);
      expect(res.body.checks).toMatchObject({ temporal: { ok: true }, worker: { ok: true }, warm: { ok: true }, database: { ok: true } });
    }
  });

  it('runs every part as its own process, with two history hosts in the membership', async () => {
    const pids = CLUSTER_PARTS.map((part) => Number(readFileSync(join(ctx.dir, 'run', `${part}.pid`), 'utf8')));
    expect(new Set(pids).size).toBe(CLUSTER_PARTS.length);
    for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow();
    const pgPort = (JSON.parse(readFileSync(join(ctx.dir, 'run', 'ports.json'), 'utf8')) as { postgres: number }).postgres;
    // The launcher's generated superuser password (test/cluster/closed-topology.test.ts checks nothing else gets in).
    const { superuser } = JSON.parse(readFileSync(join(ctx.dir, 'postgres', 'passwords.json'), 'utf8')) as { superuser: string };
    const client = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'temporal', password: superuser, database: 'temporal' });
    await client.connect();
    try {
      // role 2 is history (common/primitives); live hosts have an unexpired record
      const { rows } = await client.query('select role, rpc_port from cluster_membership where record_expiry > now()');
      const byRole = (role: number) => new Set(rows.filter((r) => r.role === role).map((r) => r.rpc_port)).size;
      expect(byRole(2)).toBe(2);
      const shards = await client.query('select count(*)::int as n from shards');
      expect(shards.rows[0].n).toBe(8);
    } finally {
      await client.end();
    }
  });
});
