/** The logger (src/logger.ts): JSON lines, levels, secrets redacted wherever they sit, trace ids inside a traced context. */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';

function capture(level: Parameters<typeof createLogger>[0] = 'info', base: Record<string, unknown> = {}) {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger(level, base, (line) => lines.push(JSON.parse(line))) };
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  manager.disable();
  context.disable();
});

describe('logger', () => {
  it('writes one JSON object a line with time, level, message, its base and fields, and drops what is under its level', () => {
    const { lines, logger } = capture('info', { component: 'api' });
    logger.debug('not this');
    logger.info('run started', { runId: 'r-1' });
    logger.child({ part: 'worker' }).warn('slow', { ms: 12 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'run started', component: 'api', runId: 'r-1' });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'slow', component: 'api', part: 'worker', ms: 12 });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('redacts secret-bearing keys at the top of the fields and nested in them', () => {
    const { lines, logger } = capture();
    logger.info('request', {
      token: 'tok-1',
      headers: { authorization: 'Bearer tok-2', cookie: 'braid_session=tok-3', 'x-api-key': 'tok-4', accept: 'json' },
      oidc: { clientSecret: 'tok-5', issuer: 'http://idp' },
      deep: { one: { password: 'tok-6' } },
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['tok-1', 'tok-2', 'tok-3', 'tok-4', 'tok-5', 'tok-6']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ token: '[redacted]', headers: { accept: 'json', authorization: '[redacted]' }, oidc: { issuer: 'http://idp' } });
  });

  it('carries the active span’s trace and span ids', async () => {
    const { lines, logger } = capture();
    const tracer = new BasicTracerProvider().getTracer('test');
    await tracer.startActiveSpan('request', async (span) => {
      await new Promise((r) => setTimeout(r, 5)); // across an await, as in a handler
      logger.info('inside');
      span.end();
      const { traceId, spanId } = span.spanContext();
      expect(lines[0]).toMatchObject({ trace_id: traceId, span_id: spanId });
    });
    logger.info('outside');
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
