/**
 * JSONata's own test suite (test/fixtures/jsonata-suite, from the jsonata
 * repository at the version Braid pins, with its licence), run inside the
 * Temporal workflow sandbox by Braid's evaluation module: each case through
 * the fast path (as node data is evaluated) and through JSONata alone. Every
 * case passes, or is listed in braid-exceptions.json with the reason and
 * what Braid answers instead, and the test holds Braid to that answer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteCase, SuiteOutcome } from '../fixtures/jsonata-suite/workflow';
import { ISOLATE_EXECUTION_TIMEOUT } from '../../src/temporal/worker';
import { createTimeSkippingEnv, uniqueId } from '../helpers/temporal';

const SUITE = resolve(__dirname, '..', 'fixtures', 'jsonata-suite');
const JSONATA_VERSION = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'node_modules', 'jsonata', 'package.json'), 'utf8')).version as string;

interface UpstreamCase {
  expr?: string;
  'expr-file'?: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  error?: { code?: string };
}

/** What Braid answers instead of JSONata's expectation, and why. */
interface Exception {
  reason: string;
  braid: { code: string } | { result: unknown } | { undefinedResult: true };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;
const datasets = Object.fromEntries(readdirSync(join(SUITE, 'datasets')).map((f) => [f.replace(/\.json$/, ''), readJson(join(SUITE, 'datasets', f))]));

/** Every case, in upstream's reading order (run-test-suite.js), with an id `group/file[#index]`. */
function loadCases(): { id: string; spec: UpstreamCase; input: SuiteCase }[] {
  const cases: { id: string; spec: UpstreamCase; input: SuiteCase }[] = [];
  for (const group of readdirSync(join(SUITE, 'groups')).sort()) {
    const dir = join(SUITE, 'groups', group);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const spec = readJson(join(dir, file)) as UpstreamCase | UpstreamCase[];
      const list = Array.isArray(spec) ? spec : [spec];
      list.forEach((c, i) => {
        const id = `${group}/${file.replace(/\.json$/, '')}${Array.isArray(spec) ? `#${i}` : ''}`;
        const expr = c['expr-file'] ? readFileSync(join(dir, c['expr-file']), 'utf8') : c.expr!;
        const data = 'data' in c ? c.data : c.dataset ? datasets[c.dataset] : undefined;
        if (c.dataset && !(c.dataset in datasets)) throw new Error(`${id}: no dataset ${c.dataset}`);
        cases.push({ id, spec: c, input: { id, expr, ...(data === undefined ? {} : { data }), ...(c.bindings ? { bindings: c.bindings } : {}) } });
      });
    }
  }
  return cases;
}

/** The case's expectation, in the workflow's terms. */
function expected(spec: UpstreamCase): Exception['braid'] {
  if ('undefinedResult' in spec) return { undefinedResult: true };
  if ('result' in spec) return { result: spec.result };
  if (spec.code) return { code: spec.code };
  if (spec.error?.code) return { code: spec.error.code };
  throw new Error('a case with nothing to check');
}

function answered(o: SuiteOutcome): Exception['braid'] {
  if (o.code !== undefined) return { code: o.code };
  if (o.undefinedResult) return { undefinedResult: true };
  return { result: o.result };
}

/** JSON's view of a value: what a workflow's result can carry (undefined in arrays becomes null). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as unknown;
/** Deep equality as the upstream runner checks it (chai's deep.equal: key order does not matter). */
const same = (a: Exception['braid'], b: Exception['braid']) => isDeepStrictEqual(asJson(a), asJson(b));

const cases = loadCases();
const exceptions = readJson(join(SUITE, 'braid-exceptions.json')) as Record<string, Exception>;
let env: TestWorkflowEnvironment;
const outcomes: Record<'fast' | 'jsonata', Map<string, SuiteOutcome>> = { fast: new Map(), jsonata: new Map() };

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  const taskQueue = uniqueId('jsonata-suite');
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;
  const bundle = await bundleWorkflowCode({ workflowsPath: join(SUITE, 'workflow.ts'), logger: silent });
  // The isolate timeout Braid's worker runs with: the SDK's 5 s default cut the
  // heaviest batches (up to 4 s here, more on a busy machine) and the workflow
  // task retried until the hook timed out.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    ...({ isolateExecutionTimeout: ISOLATE_EXECUTION_TIMEOUT } as object),
  });
  await worker.runUntil(async () => {
    // One batch at a time, each a workflow task of two seconds at most here.
    const batches: SuiteCase[][] = [];
    for (let i = 0; i < cases.length; i += 50) batches.push(cases.slice(i, i + 50).map((c) => c.input));
    for (const mode of ['fast', 'jsonata'] as const) {
      for (const batch of batches) {
        const results = await env.client.workflow.execute<(c: SuiteCase[], m: string) => Promise<SuiteOutcome[]>>('jsonataSuiteWorkflow', {
          taskQueue,
          workflowId: uniqueId(`suite-${mode}`),
          args: [batch, mode],
          workflowTaskTimeout: '60s',
        });
        for (const o of results) outcomes[mode].set(o.id, o);
      }
    }
  });
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

describe(`JSONata ${JSONATA_VERSION}'s test suite inside the workflow sandbox`, () => {
  it('is the suite of the version Braid pins, whole', () => {
    expect(readFileSync(join(SUITE, 'VERSION'), 'utf8').trim()).toBe(JSONATA_VERSION);
    expect(existsSync(join(SUITE, 'LICENSE'))).toBe(true);
    expect(cases.length).toBeGreaterThan(1500);
    for (const id of Object.keys(exceptions))
      expect(
        cases.map((c) => c.id),
        `exception for an unknown case ${id}`,
      ).toContain(id);
  });

  for (const mode of ['fast', 'jsonata'] as const) {
    it(`passes every case not listed as an exception (${mode === 'fast' ? 'fast path, then JSONata' : 'JSONata alone'})`, () => {
      const failures: string[] = [];
      for (const c of cases) {
        const got = answered(outcomes[mode].get(c.id)!);
        const want = exceptions[c.id]?.braid ?? expected(c.spec);
        if (!same(got, want))
          failures.push(
            `${c.id}: ${c.input.expr.slice(0, 80)}\n    want ${JSON.stringify(want).slice(0, 200)}\n    got  ${JSON.stringify(got).slice(0, 200)} ${outcomes[mode].get(c.id)!.message ?? ''}`,
          );
      }
      expect(failures, `${failures.length} of ${cases.length} cases differ:\n${failures.join('\n')}`).toEqual([]);
    });
  }

  it('lists as exceptions only cases that do differ from JSONata', () => {
    const stale = Object.keys(exceptions).filter((id) => same(exceptions[id]!.braid, expected(cases.find((c) => c.id === id)!.spec)));
    expect(stale).toEqual([]);
  });

  it("takes the fast path for the cases it covers, with JSONata's answers", () => {
    const fast = [...outcomes.fast.values()].filter((o) => o.fast);
    expect(fast.length).toBeGreaterThan(10);
  });
});
