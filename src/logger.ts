/**
 * Braid's logger: pino, one JSON object per line (`time`, `level`, `msg`,
 * fields), readable colours instead when stderr is a terminal. Values under
 * keys that hold secrets are redacted wherever they appear in a line's
 * fields, and a line written inside a traced context carries its `trace_id`
 * and `span_id`.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { LOG_LEVELS } from './config';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Keys whose values never reach a log line (at the top of its fields or one or two levels down). */
export const SECRET_KEYS = ['token', 'apiToken', 'authorization', 'cookie', 'password', 'secret', 'clientSecret', 'apiKey', 'x-api-key', 'set-cookie'];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const joined = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${joined}`, `*.*${joined}`];
});

/** The active span's ids, when there is one (tracing on and inside a traced request, run or node). */
function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

function destination(write?: (line: string) => void): pino.DestinationStream {
  if (write) return { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
  if (process.stderr.isTTY) return pretty({ destination: 2, sync: true, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' });
  return pino.destination({ dest: 2, sync: true });
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => wrap(p.child(fields)),
  };
}

/** A logger at `level` with `base` fields on every line; `write` takes each line (without its newline) instead of stderr. */
export function createLogger(level: (typeof LOG_LEVELS)[number] = 'info', base: Record<string, unknown> = {}, write?: (line: string) => void): Logger {
  const p = pino(
    {
      level,
      base,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: traceFields,
    },
    destination(write),
  );
  return wrap(p);
}

export const silentLogger: Logger = createLogger('silent');
