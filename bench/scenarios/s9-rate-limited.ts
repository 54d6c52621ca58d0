/**
 * S9, "rate-limited target": a local service that serves at most 8 requests at
 * once (100 ms each) and answers 429 with `Retry-After: 1` to the rest; 200
 * sibling http nodes to it, `maxParallel: 200`, the default retry policy
 * (3 attempts). The ideal is 200 × 100 ms / 8 = 2.5 s. Three workers, each on
 * its own task queue with its own limiter and a fresh target (its first
 * contact with the service):
 *
 * - adaptive (Braid's default);
 * - adaptation off, no cap (Braid before: retries with backoff only);
 * - a hard cap of 8 (`HTTP_HOST_LIMITS=127.0.0.1=8`, adaptation off).
 *
 * Client-observed: start → result through the Temporal client.
 */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createHostLimiter } from '../../activities/host-limiter';
import type { RunState } from '../../src/graph/run-state';
import { WORKFLOW_TYPE } from '../../src/graph/run-state';
import type { GraphDefinition } from '../../src/graph/schema';
import { createBraidWorker } from '../../src/temporal/worker';
import { startHttpTarget } from '../../test/helpers/http-target';
import type { BenchContext } from '../context';
import { round } from '../stats';

const CAPACITY = 8;
const NODE_MS = 100;

function rateLimited(base: string, width: number): GraphDefinition {
  const ids = Array.from({ length: width }, (_, i) => `n${i}`);
  return {
    name: 's9-rate-limited',
    nodes: [{ id: 'start', type: 'trigger' }, ...ids.map((id) => ({ id, type: 'http', data: { url: `${base}/limited/${CAPACITY}/${NODE_MS}?node=${id}` } }))],
    edges: ids.map((target) => ({ source: 'start', target })),
    settings: { maxParallel: width, onError: 'continue' },
  };
}

const VARIANTS = {
  adaptive: { label: 'adaptive (default)', limiter: () => createHostLimiter() },
  off: { label: 'adaptation off (retries only, as before)', limiter: () => createHostLimiter({ adaptive: false }) },
  cap: { label: `hard cap of ${CAPACITY}, adaptation off`, limiter: () => createHostLimiter({ adaptive: false, caps: new Map([['127.0.0.1', CAPACITY]]) }) },
} as const;

export async function rateLimitedScenario(ctx: BenchContext): Promise<void> {
  const { client, server, workflowBundle, quick, log, results, table, goals } = ctx;
  log('S9: rate-limited target (adaptive per-host throttling)');
  const width = quick ? 40 : 200;
  const idealMs = (width * NODE_MS) / CAPACITY;
  const connection = await NativeConnection.connect({ address: server.address });
  const rows: Record<string, { ms: number; requests: number; tooMany: number; failedNodes: number }> = {};
  try {
    for (const [key, variant] of Object.entries(VARIANTS)) {
      const target = await startHttpTarget();
      const taskQueue = `braid-bench-s9-${key}`;
      const worker = await createBraidWorker({
        connection,
        namespace: 'default',
        taskQueue,
        activities: createActivities({ httpAllowlist: ['127.0.0.1'], hostLimiter: variant.limiter() }),
        workflowBundle,
      });
      const done = worker.run();
      try {
        const t0 = performance.now();
        const handle = await client.workflow.start(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: `s9-${key}-${Date.now().toString(36)}`,
          args: [{ definition: rateLimited(target.url, width) }],
        });
        let state: RunState;
        try {
          state = (await handle.result()) as RunState;
        } catch {
          state = await handle.query<RunState>('state');
        }
        const ms = performance.now() - t0;
        const failedNodes = Object.values(state.nodes).filter((n) => n.status === 'failed').length;
        rows[key] = { ms: round(ms), requests: target.requests.length, tooMany: target.requests.filter((r) => r.status === 429).length, failedNodes };
      } finally {
        worker.shutdown();
        await done.catch(() => undefined);
        await target.close();
      }
    }
  } finally {
    await connection.close();
  }
  results.S9 = { width, capacity: CAPACITY, nodeMs: NODE_MS, idealMs, ...rows };
  table.push(
    `| S9 rate-limited target (${width} × ${NODE_MS} ms to a service taking ${CAPACITY} at once, 429 + Retry-After: 1 past it) | ms | × ideal (${idealMs / 1000} s) | requests | 429s | 429s / requests | failed nodes |`,
    '|---|---|---|---|---|---|---|',
  );
  for (const [key, variant] of Object.entries(VARIANTS)) {
    const r = rows[key]!;
    table.push(
      `| ${variant.label} | ${r.ms} | ${round(r.ms / idealMs, 2)} | ${r.requests} | ${r.tooMany} | ${round((100 * r.tooMany) / r.requests, 1)}% | ${r.failedNodes} |`,
    );
  }
  table.push('');
  const a = rows.adaptive!;
  goals.push({
    scenario: 'S9 rate-limited target, adaptive',
    goal: '≤ 1.4 × ideal (3.5 s); 429s ≤ 10% of requests; 0 failed nodes',
    measured: `${round(a.ms / idealMs, 2)}× (${a.ms} ms), ${a.tooMany} of ${a.requests} requests 429 (${round((100 * a.tooMany) / a.requests, 1)}%), ${a.failedNodes} failed; adaptation off ${rows.off!.ms} ms with ${rows.off!.tooMany} 429s and ${rows.off!.failedNodes} failed`,
    met: a.ms <= 1.4 * idealMs && a.tooMany <= 0.1 * a.requests && a.failedNodes === 0,
  });
}
