/**
 * The run domain apart from HTTP (issue 35, item 2): one place starts a
 * graph run on Temporal, and src/runs/ reaches no HTTP code (the dependency
 * rule in .dependency-cruiser.cjs, attacked with a probe here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/sizes';

const ROOT = resolve(__dirname, '..', '..');

/** Calls that start a workflow execution with Temporal's client: start, and the with-start forms. */
export function workflowStarts(text: string): string[] {
  return [...text.matchAll(/\.workflow\.(start|signalWithStart|startUpdateWithStart|executeUpdateWithStart|execute)\(\s*(\w+)/g)].map(
    (m) => `${m[1]}(${m[2]})`,
  );
}

describe('the run domain', () => {
  it("starts graph runs in one place: the run store's start (run-start.ts)", () => {
    const starts = sourceFiles(join(ROOT, 'src'), { declarations: false }).flatMap((f) =>
      workflowStarts(readFileSync(f, 'utf8')).map((call) => `${relative(ROOT, f)}: ${call}`),
    );
    // The other starts are not graph runs: a bulk operation's workflow, and the API's warm-up workflow.
    expect(starts.sort()).toEqual([
      'src/runs/bulk.ts: start(BULK_WORKFLOW_TYPE)',
      'src/runs/run-start.ts: start(WORKFLOW_TYPE)',
      'src/temporal/warmup.ts: execute(WARMUP_WORKFLOW_TYPE)',
    ]);
  });

  it('finds a start when there is one (the check can fail)', () => {
    expect(workflowStarts('await client.workflow.start(WORKFLOW_TYPE, { … })')).toEqual(['start(WORKFLOW_TYPE)']);
    expect(workflowStarts('deps.client.workflow.signalWithStart(WORKFLOW_TYPE, {})')).toEqual(['signalWithStart(WORKFLOW_TYPE)']);
    expect(workflowStarts('handle.start()')).toEqual([]);
  });

  it('lets the dependency rules refuse HTTP code in src/runs/, from Hono or from src/api/', () => {
    const dir = mkdtempSync(join(ROOT, 'src', 'runs', '.probe-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { Context } from 'hono';\nexport type A = Context;\n");
      writeFileSync(join(dir, 'b.ts'), "import { PROBLEM_TYPES } from '../../api/problem';\nexport const b = PROBLEM_TYPES;\n");
      const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
      const result = spawnSync(bin, [relative(ROOT, dir), '--config', '.dependency-cruiser.cjs'], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toMatch(new RegExp(`run-domain-apart-from-http: ${relative(ROOT, dir)}/a\\.ts → \\S*node_modules/hono/`));
      expect(result.stdout).toMatch(new RegExp(`run-domain-apart-from-http: ${relative(ROOT, dir)}/b\\.ts → src/api/problem\\.ts`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
