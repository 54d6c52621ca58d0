/**
 * Determinism guard: every recorded history in test/fixtures/histories (see
 * `npm run record-histories`), batch children included, replays against the current workflow code, and a
 * deliberately non-deterministic change is caught.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { quietRuntime } from '../helpers/temporal';

const dir = resolve(__dirname, '..', 'fixtures', 'histories');
// Replayed under the workflow id they were recorded with: batch children's ids derive from it.
const load = (folder: string, prefix = '') =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      file: `${prefix}${f}`,
      workflowId: `replay-${f.replace(/\.json$/, '')}`,
      history: historyFromJSON(JSON.parse(readFileSync(join(folder, f), 'utf8'))),
    }));
/** Runs the recording script drives itself rather than from an example. */
const SCRIPTED = ['paused-run.json', 'queued-run.json', 'admission-entity.json'];
/** Recorded with the current code (`npm run record-histories`). */
const current = load(dir);
/** Recorded before the patches of the scale work (batches, local execution, shared timer and scope): old runs must still replay. */
const v1 = load(join(dir, 'v1'), 'v1/');
/** Recorded before `braid-fast-expressions-v1` (JSONata alone): they replay without the fast path. */
const v2 = load(join(dir, 'v2'), 'v2/');
/** Recorded before `braid-host-order-v1` (requests in definition order, no remaining path): they replay as then. */
const v3 = load(join(dir, 'v3'), 'v3/');
/** Recorded before `braid-secret-nonce-v1` (placeholders without a nonce): they replay with the old placeholders. */
const v4 = load(join(dir, 'v4'), 'v4/');
/** Recorded before `braid-merge-any-winner-v1` (a merge "any" passed on every input taken by then): they replay as then. */
const v5 = load(join(dir, 'v5'), 'v5/');
/** Recorded before `braid-flow-history-v1` (admission and buffer workflows continued as new past 5,000 events): they replay as then. */
const v6 = load(join(dir, 'v6'), 'v6/');
const v7 = load(join(dir, 'v7'), 'v7/');
/** Recorded before `braid-entity-timer-v1` (an admission workflow started a timer for each wait): they replay as then. */
const v8 = load(join(dir, 'v8'), 'v8/');
/** Batch children (nodeBatchWorkflow, forEachBatchWorkflow), each replayed under its own workflow id (the file's name). */
const loadChildren = (folder: string, prefix: string) =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      file: `${prefix}${f}`,
      workflowId: decodeURIComponent(f.replace(/\.json$/, '')),
      history: historyFromJSON(JSON.parse(readFileSync(join(folder, f), 'utf8'))),
    }));
const children = [
  ...loadChildren(join(dir, 'children'), 'children/'),
  ...loadChildren(join(dir, 'v2', 'children'), 'v2/children/'),
  ...loadChildren(join(dir, 'v3', 'children'), 'v3/children/'),
];
const histories = [...current, ...v1, ...v2, ...v3, ...v4, ...v5, ...v6, ...v7, ...v8, ...children];

/** The patch markers a history recorded (each marker's JSON: its id and whether deprecated). */
const patches = (h: (typeof histories)[number]) =>
  h.history.events!.flatMap((e) =>
    e.markerRecordedEventAttributes ? [Buffer.from(e.markerRecordedEventAttributes.details!['patch-data']!.payloads![0]!.data!).toString('utf8')] : [],
  );

describe('replay', () => {
  it('has a recorded history for every example', () => {
    const examples = readdirSync(resolve(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json'));
    // Every example, and the scripted runs of scripts/record-histories.ts (a run paused and resumed by its updates).
    expect(current.map((h) => h.file).sort()).toEqual([...examples, ...SCRIPTED].sort());
    expect(v1.length).toBe(3);
    // v2: the examples there were before braid-fast-expressions-v1.
    expect(v2.length).toBe(9);
    for (const h of v2) expect(examples).toContain(h.file.slice(3));
    // v3: the ten examples there were before braid-host-order-v1.
    expect(v3.length).toBe(10);
    for (const h of v3) expect(examples).toContain(h.file.slice(3));
    // v4: a run that names a secret, before braid-secret-nonce-v1.
    expect(v4.map((h) => h.file)).toEqual(['v4/secret-header.json']);
    // v5: three siblings ending in one task before a merge "any", before braid-merge-any-winner-v1.
    expect(v5.map((h) => h.file)).toEqual(['v5/merge-race.json']);
    // v6: a key's admission workflow before braid-flow-history-v1.
    expect(v6.map((h) => h.file)).toEqual(['v6/admission-entity.json']);
    // v7: a run with a deadline before braid-deadline-from-start-v1.
    expect(v7.map((h) => h.file)).toEqual(['v7/deadline.json']);
    // v8: a key's admission workflow before braid-entity-timer-v1.
    expect(v8.map((h) => h.file)).toEqual(['v8/admission-entity.json']);
    expect(patches(v8[0]!).join()).not.toContain('braid-entity-timer-v1');
    expect(patches(current.find((h) => h.file === 'admission-entity.json')!).join()).toContain('braid-entity-timer-v1');
  });

  it('replays every recorded history against the current workflow code', async () => {
    quietRuntime();
    // Not a loop that passes by running zero times: every example's history (now, before the host order and before the fast path), the three v1 ones, and batch children of both kinds.
    expect(histories.length).toBe(current.length + 3 + v2.length + v3.length + v4.length + v5.length + v6.length + v7.length + v8.length + children.length);
    expect(current.length).toBeGreaterThanOrEqual(5);
    const childTypes = new Set(children.map((c) => c.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name));
    expect([...childTypes].sort()).toEqual(['forEachBatchWorkflow', 'nodeBatchWorkflow']);
    // The admission workflow replays too (a key's book: admits, a release, a grant).
    const types = new Set(current.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name));
    expect(types).toContain('braidAdmission');
    // One call per history: the same workflow id appears in both sets.
    for (const h of histories) {
      const result = await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, h.history, h.workflowId).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(result, h.file).toBeUndefined();
    }
    // A replay worker per history (40-odd): 25 s alone, 44 s in CI's full suite.
  }, 180_000);

  it('keeps the merge "any" of runs recorded before braid-merge-any-winner-v1: every input taken by then, where new runs pass the winner alone', () => {
    const reported = (h: (typeof histories)[number]) => {
      const scheduled = h.history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'http')!;
      const payload = scheduled.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!;
      return (JSON.parse(Buffer.from(payload).toString('utf8')) as { body: Record<string, unknown> }).body;
    };
    const before = v5.find((h) => h.file === 'v5/merge-race.json')!;
    const now = current.find((h) => h.file === 'merge-race.json')!;
    expect(Object.keys(reported(before)).sort()).toEqual(['setBlue', 'setGreen', 'setRed']);
    expect(Object.keys(reported(now))).toHaveLength(1);
    expect(patches(before).join()).not.toContain('braid-merge-any-winner-v1');
    expect(patches(now).join()).toContain('braid-merge-any-winner-v1');
  });

  it('keeps the deadline of runs recorded before braid-deadline-from-start-v1 counting from their first task, where new runs count from their start', () => {
    const deadlineTimer = (h: (typeof histories)[number]) => {
      const timers = h.history.events!.flatMap((e) => (e.timerStartedEventAttributes ? [e.timerStartedEventAttributes.startToFireTimeout!] : []));
      // The first timer is the deadline's (the example's 1 h delay comes after it).
      return Number(timers[0]!.seconds) * 1000 + Math.round((timers[0]!.nanos ?? 0) / 1e6);
    };
    const before = v7.find((h) => h.file === 'v7/deadline.json')!;
    const now = current.find((h) => h.file === 'deadline.json')!;
    expect(deadlineTimer(before)).toBe(30_000);
    expect(patches(before).join()).not.toContain('braid-deadline-from-start-v1');
    // Less by the time between the run's start and its first task.
    expect(deadlineTimer(now)).toBeLessThan(30_000);
    expect(deadlineTimer(now)).toBeGreaterThan(29_000);
    expect(patches(now).join()).toContain('braid-deadline-from-start-v1');
  });

  it('catches a non-deterministic change', async () => {
    quietRuntime();
    const { code } = await bundleWorkflowCode({
      workflowsPath: resolve(__dirname, '..', 'fixtures', 'nondeterministic', 'index.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
    });
    const results = Worker.runReplayHistories(
      { workflowBundle: { code } },
      histories
        .filter((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name === 'graphWorkflow')
        .slice(0, 1)
        .map(({ workflowId, history }) => ({ workflowId, history })),
    );
    for await (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
