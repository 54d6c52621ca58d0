/**
 * The Temporal SDK's runtime: its logs (worker, workflow, activity) go
 * through Braid's JSON logger, and with a metrics address its own metrics
 * (task latencies, slots, polls, activity and workflow counts) are served in
 * Prometheus format at http://<address>/metrics.
 */
import type { LogLevel } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { LOG_LEVELS } from '../config';
import type { Logger } from '../logger';

const SDK_LEVEL: Record<(typeof LOG_LEVELS)[number], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'ERROR' };

let installed = false;

export function installSdkLogger(level: (typeof LOG_LEVELS)[number], logger: Logger, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    logger: new DefaultLogger(SDK_LEVEL[level], (entry) => {
      const fields = { sdk: true, ...(entry.meta ?? {}) };
      if (level === 'silent') return;
      if (entry.level === 'ERROR') logger.error(entry.message, fields);
      else if (entry.level === 'WARN') logger.warn(entry.message, fields);
      else if (entry.level === 'INFO') logger.info(entry.message, fields);
      else logger.debug(entry.message, fields);
    }),
  });
}
