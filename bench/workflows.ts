/**
 * The benchmark worker's workflow bundle: Braid's interpreter plus hand-written
 * Temporal workflows doing the same work with plain `Promise.all` and loops —
 * the floor for anything that runs on Temporal.
 */
import { executeChild, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export { braidWarmup, changesQuery, forEachBatchWorkflow, graphWorkflow, nodeBatchWorkflow, stateQuery } from '../workflows';

const { http } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 1 },
});

const get = (id: string, url: string) => http({ nodeId: id, method: 'GET', url, failOnHttpError: true });

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 1 } });

/** S1's shape by hand: one step, then `width` siblings with Promise.all. */
export async function handFanOut(baseUrl: string, firstMs: number, width: number, ms: number): Promise<number> {
  await get('first', `${baseUrl}/delay/${firstMs}`);
  const results = await Promise.all(Array.from({ length: width }, (_, i) => get(`s${i}`, `${baseUrl}/delay/${ms}`)));
  return results.length;
}

/** S1's shape by hand with local activities: the floor for Braid's `execution: "local"`. */
export async function handFanOutLocal(baseUrl: string, firstMs: number, width: number, ms: number): Promise<number> {
  const getLocal = (id: string, url: string) => local.http({ nodeId: id, method: 'GET', url, failOnHttpError: true });
  await getLocal('first', `${baseUrl}/delay/${firstMs}`);
  const results = await Promise.all(Array.from({ length: width }, (_, i) => getLocal(`s${i}`, `${baseUrl}/delay/${ms}`)));
  return results.length;
}

/** S3's shape by hand: one 0 ms step, then `width` siblings with Promise.all (what Braid's fan-out graph does). */
export async function handWide(baseUrl: string, width: number, ms: number): Promise<number> {
  return handFanOut(baseUrl, 0, width, ms);
}

/** S4's shape by hand: `depth` activities one after another. */
export async function handChain(baseUrl: string, depth: number): Promise<number> {
  for (let i = 0; i < depth; i++) await get(`n${i}`, `${baseUrl}/delay/0`);
  return depth;
}

/**
 * forEach's shape by hand: the same batching Braid uses (children of 500
 * items, 10 at once, 20 requests in flight each), with no interpreter.
 */
export async function handForEach(baseUrl: string, items: number, batchSize: number, batchesInFlight: number, perBatch: number): Promise<number> {
  const offsets: number[] = [];
  for (let o = 0; o < items; o += batchSize) offsets.push(o);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++]!;
      done += await executeChild(handForEachBatch, { args: [baseUrl, offset, Math.min(batchSize, items - offset), perBatch] });
    }
  };
  await Promise.all(Array.from({ length: batchesInFlight }, worker));
  return done;
}

export async function handForEachBatch(baseUrl: string, offset: number, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = offset + next++;
      await get(`call-${i}`, `${baseUrl}/delay/0?i=${i}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count;
}
