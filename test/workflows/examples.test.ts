/** Every graph in examples/ validates and runs to its expected end on the time-skipping server. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/graph/validate';
import type { HttpTarget } from '../helpers/http-target';
import { startHttpTarget } from '../helpers/http-target';
import { runGraph } from '../helpers/run-graph';
import { createTimeSkippingEnv } from '../helpers/temporal';

const dir = resolve(__dirname, '..', '..', 'examples');
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { workflow: unknown; input: Record<string, unknown> }) }));

let env: TestWorkflowEnvironment;
let target: HttpTarget;
beforeAll(async () => {
  [env, target] = await Promise.all([createTimeSkippingEnv(), startHttpTarget()]);
});
afterAll(async () => {
  await Promise.all([env?.teardown(), target?.close()]);
});

describe('examples', () => {
  it('has the old executor\'s five-branch fan-out among them', () => {
    expect(examples.map((e) => e.file)).toContain('fan-out.json');
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s validates and succeeds', async (_file, example) => {
    expect(validateDefinition(example.workflow).ok).toBe(true);
    const { state } = await runGraph(env, example.workflow, { input: { ...example.input, baseUrl: target.url } });
    expect(state.status).toBe('succeeded');
    expect(Object.values(state.nodes).every((n) => n.status !== 'pending' && n.status !== 'running')).toBe(true);
  });

  it('fan-out runs its five branches side by side and joins them once', async () => {
    const fanOut = examples.find((e) => e.file === 'fan-out.json')!;
    const { state } = await runGraph(env, fanOut.workflow, { input: { baseUrl: target.url } });
    expect(state.nodes.summary!.output).toEqual({ branches: 5 });
  });
});
