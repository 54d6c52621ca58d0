import { describe, expect, it } from 'vitest';
import { RunTracker } from '../../src/graph/run-tracker';

const tracker = () =>
  new RunTracker({
    runId: 'r',
    name: 'n',
    status: 'running',
    startedAt: '2026-01-01T00:00:00.000Z',
    input: null,
    nodes: { a: { status: 'pending', attempts: 0 }, b: { status: 'pending', attempts: 0 } },
    metrics: { wallMs: 0, workMs: 0, overheadMs: 0, efficiency: 0, criticalPathMs: 0, activityCount: 0 },
  });

describe('RunTracker', () => {
  it('answers every node at version 0 and flags it full', () => {
    const t = tracker();
    expect(t.changes(0)).toMatchObject({ version: 1, full: true });
    expect(Object.keys(t.changes(0).state.nodes)).toEqual(['a', 'b']);
  });

  it('answers only the nodes changed after a version', () => {
    const t = tracker();
    const v1 = t.version;
    t.setNode('a', { status: 'running', attempts: 0 });
    const v2 = t.version;
    t.setNode('b', { status: 'running', attempts: 0 });
    expect(Object.keys(t.changes(v1).state.nodes)).toEqual(['a', 'b']);
    expect(Object.keys(t.changes(v2).state.nodes)).toEqual(['b']);
    expect(t.changes(t.version)).toMatchObject({ full: false, state: { nodes: {} } });
  });

  it('answers everything for a version it never gave out', () => {
    const t = tracker();
    expect(t.changes(99).full).toBe(true);
    expect(t.changes(-1).full).toBe(true);
  });

  it('bumps the version on run-level changes', () => {
    const t = tracker();
    const v = t.version;
    t.touch();
    expect(t.version).toBeGreaterThan(v);
    expect(t.changes(v).state.nodes).toEqual({});
  });

  it('shows the live wall time only while the run runs, without a version', () => {
    const t = tracker();
    const v = t.version;
    t.showWallTime(120);
    expect(t.state.metrics.wallMs).toBe(120);
    expect(t.version).toBe(v);
    t.end({ finishedAt: '2026-01-01T00:00:01.000Z', metrics: { ...t.state.metrics, wallMs: 1000 }, status: 'succeeded', output: { ok: true } });
    t.showWallTime(5000);
    expect(t.state.metrics.wallMs).toBe(1000);
  });

  it('ends a run with its output, or with its error, as one change', () => {
    const ok = tracker();
    const v = ok.version;
    ok.countActivity();
    ok.end({ finishedAt: '2026-01-01T00:00:01.000Z', metrics: ok.state.metrics, status: 'succeeded', output: 42 });
    expect(ok.version).toBe(v + 1);
    expect(ok.state).toMatchObject({ status: 'succeeded', output: 42, finishedAt: '2026-01-01T00:00:01.000Z', metrics: { activityCount: 1 } });
    expect(ok.state).not.toHaveProperty('error');
    const failed = tracker();
    failed.end({ finishedAt: '2026-01-01T00:00:01.000Z', metrics: failed.state.metrics, status: 'failed', error: { type: 'HttpError', message: 'boom' } });
    expect(failed.state).toMatchObject({ status: 'failed', error: { type: 'HttpError', message: 'boom' } });
    expect(failed.state).not.toHaveProperty('output');
  });
});
