import { describe, expect, it } from 'vitest';
import { compileExpression, DEFAULT_LIMITS, ExpressionError } from '../../src/graph/expressions';
import { HOSTILE_EXPRESSIONS } from './hostile-expressions';

/** Compiles and evaluates; the error's code, or the result. */
async function outcome(expression: string): Promise<{ code: string; at: 'compile' | 'evaluate' } | { result: unknown }> {
  let compiled;
  try {
    compiled = compileExpression(expression);
  } catch (err) {
    if (err instanceof ExpressionError) return { code: err.code, at: 'compile' };
    throw err;
  }
  try {
    return { result: await compiled.evaluate({}) };
  } catch (err) {
    if (err instanceof ExpressionError) return { code: err.code, at: 'evaluate' };
    throw err;
  }
}

describe('expression limits', () => {
  it.each(HOSTILE_EXPRESSIONS)('$name: $code', async ({ expression, code, at, result }) => {
    const got = await outcome(expression);
    expect(got).toEqual(code === null ? { result } : { code, at });
  });

  it('names the limit and its number in the message', async () => {
    await expect(compileExpression(`{% $pad('', 50000000) %}`).evaluate({})).rejects.toThrow(`over its limit of ${DEFAULT_LIMITS.string}`);
  });

  it('keeps JSONata semantics for what stays inside the limits', async () => {
    const evaluate = (text: string) => compileExpression(text).evaluate({});
    expect(await evaluate('{% $sort([3, 1, 2]) %}')).toEqual([1, 2, 3]);
    expect(await evaluate(`{% $sort(['b', 'a', 'B']) %}`)).toEqual(['B', 'a', 'b']);
    expect(await evaluate('{% $sort([3, 1, 2], function($a, $b){ $a < $b }) %}')).toEqual([3, 2, 1]);
    await expect(evaluate(`{% $sort([1, 'a']) %}`)).rejects.toMatchObject({ code: 'D3070' });
    expect(await evaluate(`{% $pad('x', 4, '-') %}`)).toBe('x---');
    expect(await evaluate(`{% $join(['a', 'b'], '-') %}`)).toBe('a-b');
    expect(await evaluate(`{% $string({"a": [1, 2]}) %}`)).toBe('{"a":[1,2]}');
    expect(await evaluate(`{% $replace('a-b-c', '-', '+', 1) %}`)).toBe('a+b-c');
    expect(await evaluate(`{% $match('xxBcd', /b(c)?/i) %}`)).toEqual({ match: 'Bc', index: 2, groups: ['c'] });
    expect(await evaluate(`{% $split('a1b22c', /[0-9]+/) %}`)).toEqual(['a', 'b', 'c']);
    expect(await evaluate(`{% $replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1') %}`)).toBe('Smith, John');
    expect(await evaluate(`{% $contains('Hello', /^h/i) %}`)).toBe(true);
    expect(await evaluate(`{% $eval('[1,2,3].($ * 2)') %}`)).toEqual([2, 4, 6]);
    expect(await evaluate(`{% $count([1..100000]) %}`)).toBe(100000);
  });

  it('counts built sizes per evaluation, not per compiled expression', async () => {
    const c = compileExpression(`{% $length($pad('', 4000000)) %}`);
    for (let i = 0; i < 10; i++) expect(await c.evaluate({})).toBe(4_000_000);
  });
});
