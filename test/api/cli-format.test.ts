import { describe, expect, it } from 'vitest';
import { EXIT, exitFor, invalidText, runListTable, validText } from '../../src/cli/format';

describe('CLI formatting', () => {
  it.each([
    ['succeeded', EXIT.ok],
    ['running', EXIT.ok],
    ['paused', EXIT.ok],
    ['queued', EXIT.ok],
    ['failed', EXIT.failed],
    ['canceled', EXIT.failed],
    ['terminated', EXIT.failed],
    ['timed_out', EXIT.failed],
  ] as const)('a %s run exits %d', (status, code) => {
    expect(exitFor({ status })).toBe(code);
  });

  it('lists runs with their duration when they have ended', () => {
    const table = runListTable([
      { runId: 'r1', name: 'orders', status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.250Z' },
      { runId: 'r2', name: 'orders', status: 'running', startedAt: '2026-01-01T00:00:02.000Z', finishedAt: null },
    ]);
    const rows = table.split('\n').map((line) =>
      line
        .split('│')
        .map((cell) => cell.trim())
        .filter(Boolean),
    );
    expect(rows).toContainEqual(['r1', 'orders', 'succeeded', '2026-01-01T00:00:00.000Z', '1250 ms']);
    expect(rows).toContainEqual(['r2', 'orders', 'running', '2026-01-01T00:00:02.000Z']);
  });

  it('says what validation found', () => {
    expect(validText({ nodes: 3, edges: 2 })).toBe('valid: 3 nodes, 2 edges');
    expect(invalidText([{ path: '$.nodes[1].data.url', message: 'must be an absolute http(s) URL' }])).toBe(
      'invalid: 1 problem(s)\n  $.nodes[1].data.url: must be an absolute http(s) URL',
    );
  });
});
