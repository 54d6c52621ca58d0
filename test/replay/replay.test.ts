/**
 * Determinism guard: every recorded history in test/fixtures/histories (see
 * `npm run record-histories`) replays against the current workflow code, and a
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
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));

describe('replay', () => {
  it('has a recorded history for every example', () => {
    const examples = readdirSync(resolve(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json'));
    expect(histories.map((h) => h.workflowId).sort()).toEqual(examples.sort());
  });

  it('replays every recorded history against the current workflow code', async () => {
    quietRuntime();
    const results = Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories);
    let count = 0;
    for await (const result of results) {
      expect(result.error, result.workflowId).toBeUndefined();
      count++;
    }
    expect(count).toBe(histories.length);
  });

  it('catches a non-deterministic change', async () => {
    quietRuntime();
    const { code } = await bundleWorkflowCode({
      workflowsPath: resolve(__dirname, '..', 'fixtures', 'nondeterministic', 'index.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
    });
    const results = Worker.runReplayHistories({ workflowBundle: { code } }, histories.slice(0, 1));
    for await (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
