/**
 * The promise-free evaluator of simple expressions against JSONata itself:
 * wherever it answers, it answers what JSONata does; it answers for the forms
 * it claims; and it steps aside (NOT_FAST) for everything else.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateTemplate, evaluateTemplateFast, ExpressionCache, NOT_FAST } from '../../src/graph/expressions';
import { fastEvaluator } from '../../src/graph/fast-expression';

const leaf = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constantFrom(0.1, 1 / 3, 1e15, 1e21, -0, 2 ** 53),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 })),
})).v;
const bindings = fc.record({
  input: value,
  index: fc.integer({ min: 0, max: 10_000 }),
  item: value,
  nodes: fc.dictionary(fc.constantFrom('a', 'b'), fc.record({ output: value })),
});

/** Expressions of the covered forms, and some just outside them. */
const expression: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      '$index',
      '$input',
      '$item',
      '$missing',
      '$input.a',
      '$input.a.b',
      '$item.c',
      '$nodes.a.output',
      '$nodes.b.output.a',
      '$input.a[0]',
      '$',
      'a',
      '$string',
      '$nodes.a.output.a.b.c',
    ),
    fc.string({ maxLength: 5 }).map((s) => JSON.stringify(s)),
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.constantFrom('true', 'false', 'null', '1.5', '"a" & 1.5'),
    fc.tuple(tie('e'), tie('e')).map(([l, r]) => `${l} & ${r}`),
    tie('e').map((x) => `$string(${x})`),
    tie('e').map((x) => `$uppercase(${x})`),
  ),
})).e;

const viaJsonata = async (source: string, b: Record<string, unknown>) => {
  try {
    return { value: await compileExpression(`{%${source}%}`).evaluate(b) };
  } catch {
    return { error: true };
  }
};

describe('fast expressions', () => {
  it('answer what JSONata answers, whenever they answer', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(expression, bindings, async (source, b) => {
        const fast = compileExpression(`{%${source}%}`).evaluateFast(b);
        if (fast === NOT_FAST) return;
        answered++;
        expect(await viaJsonata(source, b)).toEqual({ value: fast });
      }),
      { numRuns: 2000 },
    );
    // The property holds for real, not because the fast path never answered.
    expect(answered).toBeGreaterThan(500);
  });

  it('answer for the forms node data uses most', () => {
    const b = { input: { baseUrl: 'http://x', user: { id: 7 } }, index: 3, nodes: { call: { output: { body: { ok: true } } } } };
    const cases: [string, unknown][] = [
      ['"http://h/delay/0?i=" & $string($index)', 'http://h/delay/0?i=3'],
      ['$input.baseUrl & "/users/" & $input.user.id', 'http://x/users/7'],
      ['$nodes.call.output.body', { ok: true }],
      ['$nodes.call.output.body.ok', true],
      ['$input.missing', undefined],
      ['"a" & $input.missing', 'a'],
      ['42', 42],
    ];
    for (const [source, expected] of cases) expect(compileExpression(`{%${source}%}`).evaluateFast(b), source).toEqual(expected);
  });

  it('step aside for sequences, fractions, missing variables and anything else', () => {
    const b = { input: { list: [1, 2], x: 0.1 }, index: 1 };
    for (const source of ['$input.list', '$input.list.a', '"a" & $input.x', '$missing', '$input.list[0]', '$uppercase("a")', '$index + 1', '$']) {
      expect(compileExpression(`{%${source}%}`).evaluateFast(b), source).toBe(NOT_FAST);
    }
    // Compile time: predicates and other operators are outside the covered forms.
    expect(fastEvaluator(jsonata('$input.list[0]').ast())).toBeUndefined();
    expect(fastEvaluator(jsonata('$index > 1 ? "a" : "b"').ast())).toBeUndefined();
  });

  it('fills a template as the JSONata path does, or not at all', async () => {
    const cache = new ExpressionCache();
    const b = { input: { base: 'http://x', list: [1] }, index: 2 };
    const template = { url: '{% $input.base & "/" & $string($index) %}', headers: { 'x-n': '{% $string($index) %}' }, tags: ['a', '{% "b" %}'], n: 1 };
    expect(evaluateTemplateFast(template, b, cache)).toEqual(await evaluateTemplate(template, b, cache));
    expect(evaluateTemplateFast({ ...template, list: '{% $input.list %}' }, b, cache)).toBe(NOT_FAST);
  });
});
