/**
 * The per-origin limiter's metrics (activities/host-limiter.ts), recorded on
 * the Temporal SDK's metric meter, so they are served with the SDK's own
 * metrics at the worker's WORKER_METRICS_PORT (Prometheus), tagged by origin.
 */
import type { MetricMeter } from '@temporalio/common';
import type { HostLimiterObserver } from '../../activities/host-limiter';

export function hostLimiterMetrics(meter: MetricMeter): HostLimiterObserver {
  const limit = meter.createGauge('braid_http_host_limit', 'int', '', 'Concurrent requests the origin is allowed now (-1: no limit)');
  const inFlight = meter.createGauge('braid_http_host_in_flight', 'int', '', 'Requests to the origin in flight now');
  const tooMany = meter.createCounter('braid_http_host_429', '', 'Answers 429 from the origin');
  const waits = meter.createCounter('braid_http_host_waits', '', 'Requests that waited for a slot of the origin');
  const waitedMs = meter.createCounter('braid_http_host_waited_ms', 'ms', 'Time requests waited for a slot of the origin');
  return {
    changed(origin, l, n) {
      limit.set(l, { origin });
      inFlight.set(n, { origin });
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
