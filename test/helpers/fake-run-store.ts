/** An in-memory RunStore with the real one's type, for API unit tests. */
import type { RunStore, RunView, StartRunRequest } from '../../src/runs/run-store';
import { BraidError, RunExistsError } from '../../src/runs/errors';

export function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

export function createFakeRunStore() {
  const runs = new Map<string, RunView>();
  const definitions = new Map<string, unknown>();
  const started: StartRunRequest[] = [];
  const events: { runId: string; name: string; payload: unknown }[] = [];
  let failure: Error | undefined;
  const links = (runId: string) => ({ self: `/v1/runs/${runId}`, temporalUi: `http://ui/namespaces/default/workflows/${runId}` });
  const guard = () => {
    if (failure) throw failure;
  };
  const store: RunStore = {
    links,
    async start(req) {
      guard();
      // As the real store: one error for a taken id, with the run's links.
      if (runs.has(req.runId)) throw new RunExistsError(req.runId, links(req.runId));
      started.push(req);
      definitions.set(req.runId, structuredClone(req.definition));
      runs.set(req.runId, {
        runId: req.runId,
        name: req.name,
        status: 'running',
        startedAt: new Date(0).toISOString(),
        finishedAt: null,
        input: req.input ?? null,
        workflow: { name: req.name, version: req.version ?? null },
        trigger: { id: req.trigger ?? null, kind: req.triggerKind ?? 'manual' },
        parent: null,
        redriveOf: req.redriveOf ? { runId: req.redriveOf, links: { self: `/v1/runs/${req.redriveOf}` } } : null,
        test: req.test === true,
        redrivenBy: [],
        waitingFor: [],
        nodes: {},
        metrics: { wallMs: 0, workMs: 0, overheadMs: 0, criticalPathMs: 0, efficiency: 0, activityCount: 0 },
        links: links(req.runId),
      });
      return { runId: req.runId, links: links(req.runId) };
    },
    async get(runId) {
      guard();
      const run = runs.get(runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      return structuredClone(run);
    },
    async definition(runId) {
      guard();
      if (!definitions.has(runId)) throw new BraidError('notFound', 'no run with this id');
      return structuredClone(definitions.get(runId));
    },
    async startArgs(runId) {
      guard();
      const run = started.find((r) => r.runId === runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      return structuredClone({
        definition: run.definition,
        input: run.input ?? null,
        ...(run.trigger ? { trigger: run.trigger } : {}),
        ...(run.library ? { library: run.library } : {}),
      });
    },
    async redrivesOf(runId) {
      guard();
      return [...runs.values()]
        .filter((r) => r.redriveOf?.runId === runId)
        .map((r) => r.runId)
        .reverse();
    },
    async exists(runId) {
      guard();
      return runs.has(runId);
    },
    async waitForEnd(runId) {
      guard();
      return runs.get(runId)?.status !== 'running';
    },
    async refresh(runId) {
      return { view: await store.get(runId), version: 0, changed: null };
    },
    async list(params) {
      guard();
      const all = [...runs.values()].filter(
        (r) =>
          (!params.status || r.status === params.status) &&
          (!params.workflow || r.name === params.workflow) &&
          (!params.version || r.workflow.version === params.version) &&
          (!params.redriveOf || r.redriveOf?.runId === params.redriveOf) &&
          (params.test === 'any' || (params.test === 'true') === r.test),
      );
      return {
        runs: all.slice(0, params.limit).map(({ runId, name, status, startedAt, finishedAt, workflow, redriveOf, test }) => ({
          runId,
          name,
          version: workflow.version,
          status,
          startedAt,
          finishedAt,
          redriveOf: redriveOf?.runId ?? null,
          test,
        })),
        nextCursor: all.length > params.limit ? 'next' : null,
      };
    },
    async decide(runId, input) {
      guard();
      const run = runs.get(runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      const node = run.nodes[input.nodeId];
      if (!node) throw new BraidError('notFound', `this run has no approval node "${input.nodeId}"`);
      if (node.status !== 'waiting') throw new BraidError('conflict', `node "${input.nodeId}" is not waiting for a decision`);
      run.nodes[input.nodeId] = { status: 'succeeded', attempts: 1, output: { approved: input.approved } };
      return structuredClone(run.nodes[input.nodeId]!);
    },
    async sendEvent(runId, name, payload) {
      guard();
      if (!runs.has(runId)) throw new BraidError('notFound', 'no run with this id');
      events.push({ runId, name, payload });
    },
    async closedSince() {
      guard();
      return [...runs.values()]
        .filter((r) => r.status !== 'running')
        .map(({ runId, name, status, startedAt, finishedAt, workflow, redriveOf, test }) => ({
          runId,
          name,
          version: workflow.version,
          status,
          startedAt,
          finishedAt,
          redriveOf: redriveOf?.runId ?? null,
          test,
        }));
    },
    async cancel(runId) {
      guard();
      const run = runs.get(runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      if (run.status !== 'running') throw new BraidError('conflict', `run is already ${run.status}`);
      return { runId, status: 'canceling' as const, links: links(runId) };
    },
    async countPaused() {
      return [...runs.values()].filter((r) => r.status === 'paused').length;
    },
    async queuedByWorkflow() {
      const counts: Record<string, number> = {};
      for (const r of runs.values()) if (r.status === 'queued') counts[r.name] = (counts[r.name] ?? 0) + 1;
      return counts;
    },
    // Pausing and resuming as the workflow's updates answer them: 409 once ended, or to resume a run that is not paused.
    async pause(runId) {
      guard();
      const run = runs.get(runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      if (run.status !== 'running' && run.status !== 'paused') throw new BraidError('conflict', `run is already ${run.status}`);
      run.status = 'paused';
    },
    async resume(runId) {
      guard();
      const run = runs.get(runId);
      if (!run) throw new BraidError('notFound', 'no run with this id');
      if (run.status !== 'paused') throw new BraidError('conflict', run.status === 'running' ? 'run is not paused' : `run is already ${run.status}`);
      run.status = 'running';
    },
  };
  return {
    store,
    runs,
    started,
    events,
    /** Every call fails with `err` until cleared. */
    failWith(err: Error | undefined) {
      failure = err;
    },
  };
}
