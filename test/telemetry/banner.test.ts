/** What npm start and npm run cluster print once up (src/banner.ts), and the warm-up's quiet at info (src/temporal/runtime.ts). */
import { describe, expect, it } from 'vitest';
import { announce, bannerJson, bannerText, startBanner } from '../../src/banner';
import { createLogger } from '../../src/logger';
import { forwardSdkLog } from '../../src/temporal/runtime';
import { warmupWorkflowId } from '../../src/temporal/warmup';

const config = { dataDir: '/var/braid', temporalUiUrl: 'http://localhost:8233', databaseUrl: undefined, temporalAddress: undefined, apiToken: undefined };

describe('start-up banner', () => {
  it('tells a person at a terminal where everything is and how to stop, in aligned rows', () => {
    const out: string[] = [];
    announce(startBanner(config, 'http://127.0.0.1:8080', 'to ken'), { isTTY: true, write: (t) => out.push(t) });
    const text = out.join('');
    expect(text).toContain('Braid is up.');
    expect(text).toMatch(/Sign in\s+http:\/\/127\.0\.0\.1:8080\/runs\?token=to%20ken/);
    for (const part of ['/runs', '/editor', '/v1', '/docs', 'http://localhost:8233', '/var/braid/api-token', '/var/braid (braid.db, temporal.db)', 'Ctrl-C'])
      expect(text).toContain(part);
    const rows = text.split('\n').filter((l) => l.startsWith('  '));
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((l) => l.search(/(?<=\S {2,})\S/))).size).toBe(1); // every value in one column
    expect(text).not.toContain('{');
  });

  it('is one JSON line with the same facts when stdout is not a terminal', () => {
    const out: string[] = [];
    const banner = startBanner({ ...config, databaseUrl: 'postgres://x', temporalAddress: 'temporal:7233', apiToken: 't' }, 'http://h:1', 't');
    announce(banner, { isTTY: false, write: (t) => out.push(t) });
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith('\n')).toBe(true);
    const line = JSON.parse(out[0]!) as Record<string, string>;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'Braid is up.',
      signIn: 'http://h:1/runs?token=t',
      api: 'http://h:1/v1',
      temporalUi: 'http://localhost:8233',
    });
    expect(line.data).toContain('PostgreSQL');
    expect(bannerText(banner)).toContain('server temporal:7233');
    expect(line).not.toHaveProperty('traces');
    expect(JSON.parse(bannerJson(startBanner(config, 'http://h:1', 't', 'http://otel:4318/v1/traces')))).toMatchObject({
      traces: 'http://otel:4318/v1/traces',
    });
  });
});

describe('SDK log lines', () => {
  it('keep their level, except the warm-up runs’ info lines, which go to debug', () => {
    const lines: Record<string, unknown>[] = [];
    const forward = forwardSdkLog(
      'info',
      createLogger('info', {}, (l) => lines.push(JSON.parse(l))),
    );
    const entry = (workflowId: string, level: 'INFO' | 'WARN') => ({ level, message: `Node a succeeded in 0 ms`, meta: { workflowId }, timestampNanos: 0n });
    forward(entry(`${warmupWorkflowId('w1')}-0`, 'INFO'));
    forward(entry(warmupWorkflowId('w1'), 'INFO'));
    forward(entry('orders-1', 'INFO'));
    forward(entry(warmupWorkflowId('w1'), 'WARN'));
    expect(lines.map((l) => [l.level, l.workflowId])).toEqual([
      ['info', 'orders-1'],
      ['warn', warmupWorkflowId('w1')],
    ]);
  });
});
