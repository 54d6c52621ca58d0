/**
 * Admission and buffered triggers across the cluster: runs of one key
 * started through both API replicas never run past their limit (the target
 * sees it), and deliveries of one debounced key through both replicas become
 * one run with the last of them. Both live in Temporal, not in either API,
 * on the workers' flow task queue (`braid-flow`), apart from the runs.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT } from '../../src/graph/project-ids';
import { admissionEntityId } from '../../src/runs/admission';
import { bufferWorkflowId } from '../../src/runs/trigger-buffers';
import { mostAtOnce } from '../helpers/http-target';
import { eventually } from '../helpers/sse';
import { useCluster } from './context';

const ctx = useCluster();

describe('flow control on the cluster', () => {
  it('holds a key to its limit whichever replica starts its runs', async () => {
    const tag = `cluster-key-${Date.now()}`;
    const workflow = {
      name: 'cluster-keyed',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'call', type: 'http', data: { url: `${ctx.target.url}/delay/400?t=${tag}` } },
      ],
      edges: [{ source: 'start', target: 'call' }],
      settings: { concurrency: { key: '{% $input.customer %}', limit: 1 } },
    };
    const started = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ctx.json((i % 2) as 0 | 1, 'POST', '/v1/runs', { workflow, input: { customer: 'one' } })),
    );
    expect(started.map((s) => s.status)).toEqual(Array(6).fill(201));
    expect(started.filter((s) => s.body.status === 'running')).toHaveLength(1);
    for (const s of started) expect((await ctx.finished(1, s.body.runId)).status).toBe('succeeded');
    const requests = ctx.target.requests.filter((r) => r.path.endsWith(`t=${tag}`));
    expect(requests).toHaveLength(6);
    expect(mostAtOnce(requests)).toBe(1);
    const entity = await ctx.client.workflow.getHandle(admissionEntityId(DEFAULT_PROJECT, 'cluster-keyed', 'concurrency', 'one')).describe();
    expect(entity.taskQueue).toBe('braid-flow');
  }, 180_000);

  it('debounces one key over both replicas into one run with the last delivery', async () => {
    const name = `cluster-debounce-${Date.now()}`;
    const saved = await ctx.json(0, 'PUT', `/v1/workflows/${name}`, {
      nodes: [
        { id: 'start', type: 'trigger', data: { kind: 'webhook', debounce: { key: '{% $input.user %}', period: '1s' } } },
        { id: 'echo', type: 'set', data: { value: '{% $input %}' } },
      ],
      edges: [{ source: 'start', target: 'echo' }],
    });
    expect(saved.status).toBe(201);
    const runIds: string[] = [];
    for (let n = 0; n < 6; n++) runIds.push((await ctx.json((n % 2) as 0 | 1, 'POST', `/v1/hooks/${name}`, { user: 'u', n })).body.runId);
    expect(new Set(runIds).size).toBe(1);
    const run = await eventually(async () => {
      const { status, body } = await ctx.json(0, 'GET', `/v1/runs/${encodeURIComponent(runIds[0]!)}`);
      return status === 200 && body.status === 'succeeded' ? body : undefined;
    }, 60_000);
    expect(run.input).toEqual({ user: 'u', n: 5 });
    const buffer = await ctx.client.workflow.getHandle(bufferWorkflowId(DEFAULT_PROJECT, name, 'start', 'debounce', 'u')).describe();
    expect(buffer.taskQueue).toBe('braid-flow');
  }, 120_000);
});
