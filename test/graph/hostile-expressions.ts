/**
 * Expressions written to hurt the worker: each must end with the limit its
 * row names (at compile time, so at validation, where `at` is `compile`).
 * Shared by the pure test (test/graph/expression-limits.test.ts) and the
 * attack test against a real worker (test/e2e/attacks.test.ts).
 */
export interface HostileExpression {
  name: string;
  expression: string;
  /** The limit that stops it; null when it is harmless as Braid runs it (then it gives `result`). */
  code: string | null;
  at: 'compile' | 'evaluate';
  result?: unknown;
}

const a28 = 'a'.repeat(28);

export const HOSTILE_EXPRESSIONS: HostileExpression[] = [
  {
    name: 'catastrophic regex (a+)+$, linear on RE2',
    expression: `{% $exists($match('${a28.repeat(100)}!', /(a+)+$/)) %}`,
    code: null,
    at: 'evaluate',
    result: false,
  },
  { name: 'catastrophic regex in $replace', expression: `{% $replace('${a28}!', /(a|aa)+$/, 'x') %}`, code: null, at: 'evaluate', result: `${a28}!` },
  { name: 'backreference', expression: `{% $match('aa', /(a)\\1/) %}`, code: 'LIMIT_REGEX', at: 'compile' },
  { name: 'lookahead', expression: `{% $contains('abc', /a(?=b)/) %}`, code: 'LIMIT_REGEX', at: 'compile' },
  { name: 'regex through $eval', expression: `{% $eval("$match('aa', /(a)\\\\1/)") %}`, code: 'LIMIT_REGEX', at: 'evaluate' },
  { name: '$pad of 50 million', expression: `{% $length($pad('', 50000000)) %}`, code: 'LIMIT_STRING', at: 'evaluate' },
  { name: 'negative $pad', expression: `{% $length($pad('x', -50000000, 'y')) %}`, code: 'LIMIT_STRING', at: 'evaluate' },
  { name: 'range of ten million', expression: `{% $count([1..10000000]) %}`, code: 'LIMIT_ARRAY', at: 'evaluate' },
  { name: '$join of a 2M range', expression: `{% $length($join([1..2000000].$string(), ',')) %}`, code: 'LIMIT_ARRAY', at: 'evaluate' },
  {
    name: '$join of long strings',
    expression: `{% ($s := $pad('', 400000, 'x'); $length($join([$s,$s,$s,$s,$s,$s,$s,$s,$s,$s,$s,$s,$s,$s], $s))) %}`,
    code: 'LIMIT_STRING',
    at: 'evaluate',
  },
  {
    name: 'string doubling',
    expression: `{% ($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('ab', 40))) %}`,
    code: 'LIMIT_STRING',
    at: 'evaluate',
  },
  {
    name: '$string of a doubled object',
    expression: `{% ($f := function($o, $n){ $n = 0 ? $o : $f({"a": $o, "b": $o}, $n - 1) }; $length($string($f({"x": 1}, 40)))) %}`,
    code: 'LIMIT_STRING',
    at: 'evaluate',
  },
  {
    name: 'a doubled object as the result',
    expression: `{% ($f := function($o, $n){ $n = 0 ? $o : $f({"a": $o, "b": $o}, $n - 1) }; $f({"x": 1}, 40)) %}`,
    code: 'LIMIT_OUTPUT',
    at: 'evaluate',
  },
  { name: '$string of a 5M array', expression: `{% $length($string([1..5000000])) %}`, code: 'LIMIT_ARRAY', at: 'evaluate' },
  {
    name: '$replace amplification',
    expression: `{% $length($replace($pad('', 100000, 'a'), 'a', $pad('', 1000, 'b'))) %}`,
    code: 'LIMIT_STRING',
    at: 'evaluate',
  },
  {
    name: '$replace amplification by regex',
    expression: `{% $length($replace($pad('', 100000, 'a'), /a/, $pad('', 1000, 'b'))) %}`,
    code: 'LIMIT_STRING',
    at: 'evaluate',
  },
  {
    name: '$sort of 200,000 with a function',
    expression: `{% $count($sort([1..200000], function($a, $b){ $a < $b })) %}`,
    code: 'LIMIT_STEPS',
    at: 'evaluate',
  },
  { name: 'runaway tail recursion', expression: `{% ($f := function($x){ $f($x) }; $f(1)) %}`, code: 'LIMIT_STEPS', at: 'evaluate' },
  { name: 'deep recursion', expression: `{% ($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000)) %}`, code: 'LIMIT_DEPTH', at: 'evaluate' },
  {
    name: 'nested $eval',
    expression: `{% ($e := function($n){ $n = 0 ? 0 : $eval('$e(' & ($n - 1) & ')', {}) }; $e(100000)) %}`,
    code: 'LIMIT_STEPS',
    at: 'evaluate',
  },
  { name: '$eval of a huge source', expression: `{% $eval($join($map([1..30000], function(){'1+'}), '') & '1') %}`, code: 'LIMIT_STEPS', at: 'evaluate' },
  { name: '$map over a million', expression: `{% $count($map([1..400000], function($v){ $v })) %}`, code: 'LIMIT_STEPS', at: 'evaluate' },
  { name: 'ranges in a $map', expression: `{% $count($map([1..2000], function(){ [1..1000] })) %}`, code: 'LIMIT_STEPS', at: 'evaluate' },
  { name: 'order-by of a large range', expression: `{% $count([1..100000]^($)) %}`, code: 'LIMIT_STEPS', at: 'evaluate' },
  { name: '$split into a million', expression: `{% $count($split($pad('', 1000000, 'a'), '')) %}`, code: 'LIMIT_ARRAY', at: 'evaluate' },
];
