import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateTemplate, ExpressionCache, ExpressionError, isExpression } from '../../src/graph/expressions';
import { parseDuration } from '../../src/graph/duration';
import { redactSecrets, secretsBinding } from '../../src/graph/secrets';

const evaluate = (text: string, bindings: Record<string, unknown> = {}) => compileExpression(text).evaluate(bindings);

describe('expressions', () => {
  it('recognises only strings wholly wrapped in {% %}', () => {
    expect(isExpression('{% 1 %}')).toBe(true);
    expect(isExpression(' {% 1 %}')).toBe(false);
    expect(isExpression('a {% 1 %}')).toBe(false);
    expect(isExpression('{%%}')).toBe(true);
    expect(isExpression(42)).toBe(false);
  });

  it('evaluates with $input, $nodes and $run and keeps the result type', async () => {
    const bindings = { input: { n: 2 }, nodes: { a: { output: { items: [1, 2, 3] } } }, run: { id: 'r1' } };
    expect(await evaluate('{% $input.n * 10 %}', bindings)).toBe(20);
    expect(await evaluate('{% $sum($nodes.a.output.items) %}', bindings)).toBe(6);
    expect(await evaluate('{% $nodes.a.output.items %}', bindings)).toEqual([1, 2, 3]);
    expect(await evaluate('{% $run.id %}', bindings)).toBe('r1');
    expect(await evaluate('{% {"k": $input.n} %}', bindings)).toEqual({ k: 2 });
  });

  it('$length counts characters as JSONata does (a surrogate pair once, a lone surrogate once) without building an array of them', async () => {
    const cases = ['', 'abc', '😀', 'a😀b😀', '\ud83d', '\ude00x', 'x\ud83d', '\ud83d\ud83d\ude00', 'é'.repeat(5), 'z'.repeat(200_000) + '😀'];
    for (const s of cases) expect(await evaluate('{% $length($s) %}', { s })).toBe([...s].length);
    expect(await evaluate('{% $length($s) %}', {})).toBeUndefined();
    await expect(evaluate('{% $length(5) %}', {})).rejects.toMatchObject({ code: 'T0410' });
  });

  it('replaces expressions at any depth and leaves the rest alone', async () => {
    const template = { a: '{% $input.x %}', b: [{ c: '{% $input.x + 1 %}' }, 'plain'], d: 5 };
    const out = await evaluateTemplate(template, { input: { x: 1 } }, new ExpressionCache());
    expect(out).toEqual({ a: 1, b: [{ c: 2 }, 'plain'], d: 5 });
    expect(template.a).toBe('{% $input.x %}');
  });

  it('reports compile errors with a position', () => {
    expect(() => compileExpression('{% $a + %}')).toThrow(ExpressionError);
    try {
      compileExpression('{% 1 + %}');
    } catch (err) {
      expect((err as ExpressionError).position).toBeTypeOf('number');
    }
  });

  it('stops a runaway recursive expression at its step budget', async () => {
    const runaway = compileExpression('{% ($f := function($x){ $f($x) }; $f(1)) %}', { limits: { steps: 10_000 } });
    await expect(runaway.evaluate({})).rejects.toMatchObject({ code: 'LIMIT_STEPS' });
  });

  it("stops the issue's runaway expression at the default budget too", async () => {
    await expect(evaluate('{% ($f := function($x){ $f($x) }; $f(1)) %}')).rejects.toBeInstanceOf(ExpressionError);
  });

  it('stops deep non-tail recursion by depth', async () => {
    await expect(evaluate('{% ($f := function($x){ 1 + $f($x) }; $f(1)) %}')).rejects.toBeInstanceOf(ExpressionError);
  });

  it('has room in the default budget for a $map over 500 items', async () => {
    expect(await evaluate('{% $sum($map([1..500], function($v){ $v * 2 })) %}')).toBe(250_500);
  });

  it('counts steps per evaluation, so one expression can run many times', async () => {
    const c = compileExpression('{% $sum([1..100]) %}', { limits: { steps: 500 } });
    for (let i = 0; i < 20; i++) expect(await c.evaluate({})).toBe(5050);
  });

  it('cannot reach JavaScript globals', async () => {
    expect(await evaluate('{% $process %}')).toBeUndefined();
    expect(await evaluate('{% $globalThis %}')).toBeUndefined();
    expect(await evaluate('{% $eval("$input", {}) %}', { input: 1 })).toBe(1);
    await expect(evaluate('{% $require("fs") %}')).rejects.toBeInstanceOf(ExpressionError);
  });

  it('turns $secrets into placeholders that the API redacts', async () => {
    const header = await evaluate('{% "Bearer " & $secrets.TOKEN %}', { secrets: secretsBinding('{% "Bearer " & $secrets.TOKEN %}') });
    expect(header).toBe('Bearer \u0000braid-secret:TOKEN\u0000');
    expect(redactSecrets({ h: header })).toEqual({ h: 'Bearer [secret]' });
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1.5s', 1_500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '5', 's', '5 m', '-1s', '5w', '1000d'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
