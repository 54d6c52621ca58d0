/**
 * Fault scenarios shared by the CI tests (test/e2e/faults.test.ts) and
 * `npm run chaos`: a run of ten sequential 500 ms HTTP nodes against a target
 * that counts requests per node, with one part of Braid killed mid-run.
 */
import { runCreatedSchema, runListSchema, runSchema } from '../../src/api/schemas';
import type { HttpTarget } from './http-target';
import type { SplitStack } from './split-stack';
import { eventually } from './sse';
import { stackAuth } from './stack-token';

export const CHAIN_LENGTH = 10;
export const NODE_MS = 500;

export interface FaultReport {
  scenario: string;
  runId: string;
  status: string;
  /** Requests per node, n1..n10. */
  requestsPerNode: Record<string, number>;
  completedBeforeCrash: string[];
  inFlightAtCrash: string[];
  /** Every node completed before the crash was requested exactly once. */
  completedOnce: boolean;
  /** The node in flight at the crash was requested at most twice. */
  inFlightAtMostTwice: boolean;
  recoveryMs: number;
  totalMs: number;
}

function chainWorkflow(target: HttpTarget, tag: string) {
  const nodes = [{ id: 'start', type: 'trigger' }];
  const edges: { source: string; target: string }[] = [];
  for (let i = 1; i <= CHAIN_LENGTH; i++) {
    nodes.push({ id: `n${i}`, type: 'http', data: { url: `${target.url}/delay/${NODE_MS}?run=${tag}&node=n${i}` } } as never);
    edges.push({ source: i === 1 ? 'start' : `n${i - 1}`, target: `n${i}` });
  }
  return { name: `chaos-${tag}`, nodes, edges };
}

export async function runWithCrash(
  stack: SplitStack,
  target: HttpTarget,
  scenario: 'worker-crash' | 'server-restart',
  crash: () => Promise<void>,
  recover: () => Promise<void>,
): Promise<FaultReport> {
  const tag = `${scenario}-${Date.now()}`;
  const mine = () => target.requests.filter((r) => r.path.includes(`run=${tag}&`));
  const nodeOf = (path: string) => /node=(n\d+)/.exec(path)![1]!;
  const t0 = Date.now();
  const res = await fetch(`${stack.api}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stackAuth },
    body: JSON.stringify({ workflow: chainWorkflow(target, tag) }),
  });
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  const { runId } = runCreatedSchema.parse(await res.json());

  // crash once three nodes have completed and the fourth is in flight
  await eventually(
    async () => (mine().filter((r) => r.endTick !== undefined && !r.aborted).length >= 3 && mine().some((r) => r.endTick === undefined) ? true : undefined),
    60_000,
    20,
  );
  const completedBeforeCrash = [
    ...new Set(
      mine()
        .filter((r) => r.endTick !== undefined && !r.aborted)
        .map((r) => nodeOf(r.path)),
    ),
  ];
  const inFlightAtCrash = mine()
    .filter((r) => r.endTick === undefined)
    .map((r) => nodeOf(r.path));
  await crash();
  const tCrash = Date.now();
  // nothing may answer for the killed part: the in-flight request must not complete normally
  await new Promise((r) => setTimeout(r, 200));
  await recover();

  const final = await eventually(
    async () => {
      const r = await fetch(`${stack.api}/v1/runs/${runId}`, { headers: stackAuth }).catch(() => undefined);
      if (r?.status !== 200) return undefined;
      const run = runSchema.parse(await r.json());
      return run.status === 'running' ? undefined : run;
    },
    120_000,
    250,
  );

  const requestsPerNode: Record<string, number> = {};
  for (let i = 1; i <= CHAIN_LENGTH; i++) requestsPerNode[`n${i}`] = mine().filter((r) => nodeOf(r.path) === `n${i}`).length;
  return {
    scenario,
    runId,
    status: final.status,
    requestsPerNode,
    completedBeforeCrash,
    inFlightAtCrash,
    completedOnce: completedBeforeCrash.every((n) => requestsPerNode[n] === 1),
    inFlightAtMostTwice: inFlightAtCrash.every((n) => (requestsPerNode[n] ?? 0) <= 2),
    recoveryMs: Date.now() - tCrash,
    totalMs: Date.now() - t0,
  };
}

export async function listedRunIds(stack: SplitStack): Promise<string[]> {
  const res = await fetch(`${stack.api}/v1/runs?limit=100`, { headers: stackAuth });
  return runListSchema.parse(await res.json()).runs.map((r) => r.runId);
}
