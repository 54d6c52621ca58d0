/**
 * `GET /metrics`: Prometheus series of the API and of the runs it sees, with
 * prom-client on a registry of the app's own (no process-wide singleton).
 *
 * - braid_api_request_duration_seconds{method,route,status}: every request.
 * - braid_sse_connections: event streams open now.
 * - braid_runs_started_total{workflow,trigger}: runs started through the API.
 * - braid_runs_finished_total{workflow,status}, braid_node_queued_seconds and
 *   braid_node_run_seconds{type,execution}: every run that finished after
 *   the API started, however it was started (webhooks, schedules, other
 *   clients). Each scrape asks Temporal's visibility for runs closed since
 *   the last one and reads their final states once. With several API
 *   replicas, each run is counted by the one replica that claims it in
 *   Braid's database (src/store/counted-runs.ts), so replicas summed count
 *   it once.
 * - braid_http_host_limit, braid_http_host_in_flight, braid_http_host_waiting
 *   {origin} (gauges) and braid_http_host_429_total{origin}: the worker's
 *   per-origin limiter (activities/host-limiter.ts), when the worker runs
 *   beside this API (`npm start` hands its reports over, `hostLimits`); at
 *   most HOST_SERIES origins, the busiest first.
 * - prom-client's process series (process_cpu_seconds_total, memory, event
 *   loop lag): what the API process itself costs.
 */
import { FAILURE_TYPES } from '../graph/failures';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OriginStats } from '../../activities/host-limiter';
import type { RunSummary, RunView } from '../runs/run-store';
import type { AppEnv } from './types';
import type { AdmissionOutcome } from '../graph/admission';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface MetricsSource {
  /** Runs closed after `since` (ISO), newest first. */
  closedSince(since: string, limit: number): Promise<RunSummary[]>;
  get(runId: string): Promise<RunView>;
  /** How many runs are paused now (every project's). */
  countPaused?(): Promise<number>;
  /** Queued runs now, by saved workflow (ADHOC_LABEL for the rest). */
  queuedByWorkflow?(): Promise<Record<string, number>>;
}

export interface MetricsOptions {
  startedAt?: Date;
  /** Claims a finished run for this replica; a run claimed elsewhere is not counted here. */
  claim?: (runId: string) => Promise<boolean>;
  /** The worker's per-origin limiter, as last reported (`npm start`). */
  hostLimits?: () => readonly OriginStats[];
}

/** Origins are named by the graphs: the series are bounded to the busiest this many. */
export const HOST_SERIES = 100;

/** The `workflow` label of runs of graphs posted with the run (not saved): one value, so labels stay bounded. */
export const ADHOC_LABEL = 'adhoc';

export function createMetrics(source: MetricsSource, opts: MetricsOptions = {}) {
  const startedAt = opts.startedAt ?? new Date();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { requests, sse, started, finished, runWall, runWork, queued, ran } = instruments(registry);
  const controls = new Counter({
    name: 'braid_run_controls_total',
    help: 'Runs paused and resumed through the API, by action',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const deadlines = new Counter({
    name: 'braid_run_deadlines_total',
    help: 'Runs that failed at their deadline (settings.timeout), by workflow',
    labelNames: ['workflow'] as const,
    registers: [registry],
  });
  if (source.countPaused) {
    const count = source.countPaused.bind(source);
    new Gauge({
      name: 'braid_runs_paused',
      help: 'Runs paused now',
      registers: [registry],
      async collect() {
        this.set(await count().catch(() => 0));
      },
    });
  }
  if (opts.hostLimits) hostLimitInstruments(registry, opts.hostLimits);

  let since = startedAt.toISOString();
  const seen = new Set<string>();
  let collecting: Promise<void> | undefined;

  const observeFinished = (run: RunView) => {
    // A saved workflow's name; every ad-hoc graph shares one value (names in a posted graph are anyone's to invent).
    const workflow = run.workflow.version ? run.workflow.name : ADHOC_LABEL;
    finished.inc({ workflow, status: run.status });
    if (run.error?.type === FAILURE_TYPES.runTimedOut) deadlines.inc({ workflow });
    runWall.observe({ workflow }, (run.metrics.wallMs ?? 0) / 1000);
    runWork.observe({ workflow }, (run.metrics.workMs ?? 0) / 1000);
    for (const n of Object.values(run.nodes)) {
      if (!n.type || n.runMs === undefined) continue;
      const labels = { type: n.type, execution: n.execution ?? 'workflow' };
      ran.observe(labels, n.runMs / 1000);
      if (n.queuedMs !== undefined) queued.observe(labels, n.queuedMs / 1000);
    }
  };

  /** Reads runs closed since the last scrape, once each. */
  async function collect(): Promise<void> {
    const closed = await source.closedSince(since, 500);
    let newest = since;
    for (const r of closed) {
      if (seen.has(r.runId) || !r.finishedAt) continue;
      try {
        const run = await source.get(r.runId);
        if (!opts.claim || (await opts.claim(r.runId))) observeFinished(run);
      } catch {
        continue; // gone, unreadable or unclaimable now: the next scrape tries again
      }
      seen.add(r.runId);
      if (r.finishedAt > newest) newest = r.finishedAt;
    }
    // Keep a margin for visibility's lag; `seen` stops double counting inside it.
    since = new Date(Math.max(Date.parse(since), Date.parse(newest) - 60_000)).toISOString();
    if (seen.size > 50_000) seen.clear();
  }

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      // The route that answered: the last matched handler that is not middleware.
      const route =
        matchedRoutes(c)
          .filter((r) => r.method !== 'ALL')
          .at(-1)?.path ?? 'unmatched';
      requests.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - t0) / 1000);
    }
  };

  return {
    registry,
    middleware,
    sseOpened: () => sse.inc(),
    sseClosed: () => sse.dec(),
    runStarted: (workflow: string, trigger: string) => started.inc({ workflow, trigger }),
    runControlled: (action: 'pause' | 'resume') => controls.inc({ action }),
    ...flowInstruments(registry, source),
    /** The text exposition, after collecting what finished since the last scrape. */
    async scrape(): Promise<string> {
      // One collection at a time, however many scrapers.
      collecting ??= collect().finally(() => (collecting = undefined));
      await collecting.catch(() => undefined);
      return registry.metrics();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Admission and buffered triggers (settings.concurrency, settings.rateLimit, a trigger's debounce and batch). */
function flowInstruments(registry: Registry, source: MetricsSource) {
  const admissions = new Counter({
    name: 'braid_run_admissions_total',
    help: 'Runs with limits the API asked to start, by workflow and what their limits said (started, queued, skipped, rate_limited)',
    labelNames: ['workflow', 'outcome'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'braid_trigger_deliveries_total',
    help: 'Webhook deliveries that joined a debounced or batched run, by workflow and mode',
    labelNames: ['workflow', 'mode'] as const,
    registers: [registry],
  });
  if (source.queuedByWorkflow) {
    const read = source.queuedByWorkflow.bind(source);
    new Gauge({
      name: 'braid_runs_queued',
      help: 'Runs waiting for their limits now, by workflow',
      labelNames: ['workflow'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [workflow, n] of Object.entries(await read().catch(() => ({})))) this.set({ workflow }, n);
      },
    });
  }
  return {
    /** A start's admission: counted once per run, by whoever took it in first. */
    runAdmitted: (workflow: string, outcome: AdmissionOutcome) => admissions.inc({ workflow, outcome }),
    /** Key values are never labels: the workflow and the mode only. */
    deliveryBuffered: (workflow: string, mode: 'debounce' | 'batch') => deliveries.inc({ workflow, mode: mode === 'debounce' ? 'debounced' : 'batched' }),
  };
}

/** The limiter's series, read from `read()` at each scrape. */
function hostLimitInstruments(registry: Registry, read: () => readonly OriginStats[]) {
  const busiest = () =>
    [...read()].sort((a, b) => b.inFlight + b.waiting - (a.inFlight + a.waiting) || b.tooManyRequests - a.tooManyRequests).slice(0, HOST_SERIES);
  const gauge = (name: string, help: string, value: (o: OriginStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['origin'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const o of busiest()) this.set({ origin: o.origin }, value(o));
      },
    });
  gauge('braid_http_host_limit', 'Concurrent requests the worker allows the origin now (-1: no limit)', (o) => o.limit);
  gauge('braid_http_host_in_flight', 'Requests to the origin in flight now', (o) => o.inFlight);
  gauge('braid_http_host_waiting', 'Requests waiting for a slot of the origin now', (o) => o.waiting);
  new Counter({
    name: 'braid_http_host_429_total',
    help: 'Answers 429 from the origin since the worker started',
    labelNames: ['origin'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const o of busiest()) if (o.tooManyRequests > 0) this.inc({ origin: o.origin }, o.tooManyRequests);
    },
  });
}

/** Braid's instruments, registered in `registry`. */
function instruments(registry: Registry) {
  const requests = new Histogram({
    name: 'braid_api_request_duration_seconds',
    help: 'API request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const sse = new Gauge({ name: 'braid_sse_connections', help: 'Run event streams open now', registers: [registry] });
  const started = new Counter({
    name: 'braid_runs_started_total',
    help: 'Runs started through the API, by workflow and trigger kind',
    labelNames: ['workflow', 'trigger'] as const,
    registers: [registry],
  });
  const finished = new Counter({
    name: 'braid_runs_finished_total',
    help: 'Runs that finished after the API started, by workflow and status',
    labelNames: ['workflow', 'status'] as const,
    registers: [registry],
  });
  const runWall = new Histogram({
    name: 'braid_run_wall_seconds',
    help: 'Finished runs: start to end',
    labelNames: ['workflow'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const runWork = new Histogram({
    name: 'braid_run_work_seconds',
    help: 'Finished runs: the critical path of node run times (what an ideal executor would take)',
    labelNames: ['workflow'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const queued = new Histogram({
    name: 'braid_node_queued_seconds',
    help: 'Activity nodes: scheduled to started, by node type and execution',
    labelNames: ['type', 'execution'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const ran = new Histogram({
    name: 'braid_node_run_seconds',
    help: "Nodes' own work (request, delay, wait), by node type and execution",
    labelNames: ['type', 'execution'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  return { requests, sse, started, finished, runWall, runWork, queued, ran };
}
