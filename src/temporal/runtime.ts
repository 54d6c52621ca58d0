/**
 * The Temporal SDK's runtime: its logs (worker, workflow, activity) go
 * through Braid's JSON logger, and with a metrics address its own metrics
 * (task latencies, slots, polls, activity and workflow counts) are served in
 * Prometheus format at http://<address>/metrics.
 */
import type { LogEntry, LogLevel } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { LOG_LEVELS } from '../config';
import type { Logger } from '../logger';
import { WARMUP_ID_PREFIX } from './warmup';

const SDK_LEVEL: Record<(typeof LOG_LEVELS)[number], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'ERROR' };

let installed = false;

/** Workflows whose lines a person does not need at `info`: the worker's own warm-up runs (src/temporal/warmup.ts). */
const quietWorkflow = (meta: Record<string, unknown> | undefined) => typeof meta?.workflowId === 'string' && meta.workflowId.startsWith(WARMUP_ID_PREFIX);

/** Where one SDK log entry goes: Braid's logger at the same level, a warm-up run's info lines at debug. */
export function forwardSdkLog(level: (typeof LOG_LEVELS)[number], logger: Logger): (entry: LogEntry) => void {
  return (entry) => {
    if (level === 'silent') return;
    const fields = { sdk: true, ...(entry.meta ?? {}) };
    if (entry.level === 'ERROR') logger.error(entry.message, fields);
    else if (entry.level === 'WARN') logger.warn(entry.message, fields);
    else if (entry.level === 'INFO' && !quietWorkflow(entry.meta)) logger.info(entry.message, fields);
    else logger.debug(entry.message, fields);
  };
}

export function installSdkLogger(level: (typeof LOG_LEVELS)[number], logger: Logger, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    logger: new DefaultLogger(SDK_LEVEL[level], forwardSdkLog(level, logger)),
  });
}
