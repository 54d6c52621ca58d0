/**
 * The per-origin limiter's metrics (activities/host-limiter.ts), recorded on
 * the Temporal SDK's metric meter, so they are served with the SDK's own
 * metrics at the worker's WORKER_METRICS_PORT (Prometheus), tagged by origin.
 */
import type { MetricMeter } from '@temporalio/common';
import type { HostLimiterObserver, OriginStats } from '../../activities/host-limiter';

export function hostLimiterMetrics(meter: MetricMeter): HostLimiterObserver {
  const limit = meter.createGauge('braid_http_host_limit', 'int', '', 'Concurrent requests the origin is allowed now (-1: no limit)');
  const inFlight = meter.createGauge('braid_http_host_in_flight', 'int', '', 'Requests to the origin in flight now');
  const waiting = meter.createGauge('braid_http_host_waiting', 'int', '', 'Requests waiting for a slot of the origin now');
  const tooMany = meter.createCounter('braid_http_host_429', '', 'Answers 429 from the origin');
  const waits = meter.createCounter('braid_http_host_waits', '', 'Requests that waited for a slot of the origin');
  const waitedMs = meter.createCounter('braid_http_host_waited_ms', 'ms', 'Time requests waited for a slot of the origin');
  return {
    changed(origin, l, n, w) {
      limit.set(l, { origin });
      inFlight.set(n, { origin });
      waiting.set(w, { origin });
    },
    tooManyRequests(origin) {
      tooMany.add(1, { origin });
    },
    waited(origin, ms) {
      waits.add(1, { origin });
      waitedMs.add(Math.round(ms), { origin });
    },
  };
}

/**
 * What a worker started by `npm start` tells its parent over the IPC channel:
 * every origin's state, which the API serves on its own GET /metrics (one
 * endpoint for the embedded stack; a worker run on its own keeps the series
 * above on WORKER_METRICS_PORT).
 */
export interface HostLimitsReport {
  type: 'braid.host-limits';
  origins: OriginStats[];
}

export function isHostLimitsReport(message: unknown): message is HostLimitsReport {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as HostLimitsReport).type === 'braid.host-limits' &&
    Array.isArray((message as HostLimitsReport).origins)
  );
}

/** Sends `stats()` with `send` when it changed, at most every `everyMs`; returns a stop function. */
export function reportHostLimits(stats: () => OriginStats[], send: (report: HostLimitsReport) => void, everyMs = 500): () => void {
  let last = '';
  const timer = setInterval(() => {
    const origins = stats();
    const text = JSON.stringify(origins);
    if (text === last) return;
    last = text;
    send({ type: 'braid.host-limits', origins });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
