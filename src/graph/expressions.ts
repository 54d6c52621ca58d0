/**
 * JSONata expressions embedded in node data.
 *
 * A string that is wholly `{% … %}` is an expression (the AWS Step Functions
 * convention); its result replaces the string, whatever its type. Expressions are
 * compiled once (at validation time and once per run in the workflow) and every
 * evaluation is bounded deterministically by a step budget and a depth limit,
 * because JSONata's own timeout reads the wall clock, which is frozen inside the
 * Temporal workflow sandbox.
 */
import jsonata from 'jsonata';
import { fastEvaluator, NOT_FAST } from './fast-expression';
import { EXPRESSION_CLOSE, EXPRESSION_OPEN, isExpression } from './expression-syntax';
import { setOwnProperty } from './own-property';
import { ExpressionError, toExpressionError } from './expression-error';
import type { MeteredFrame } from './expression-guards';
import { ENTRY_HOOK, guardLibrary, meterOf } from './expression-guards';
import type { ExpressionLimits } from './expression-limits';
import { compileRe2, DEFAULT_LIMITS, ExpressionMeter, LIMIT_CODES, Re2RegExp, regexLiterals, sharedSize } from './expression-limits';

export { DEFAULT_LIMITS, LIMIT_CODES } from './expression-limits';
export { ExpressionError } from './expression-error';

export { NOT_FAST } from './fast-expression';

export { EXPRESSION_CLOSE, EXPRESSION_OPEN, isExpression } from './expression-syntax';

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

/** The JSONata source inside `{% … %}`. */
export function expressionBody(text: string): string {
  return text.slice(EXPRESSION_OPEN.length, text.length - EXPRESSION_CLOSE.length);
}

/** A compiled expression with its evaluation bound. */
export interface CompiledExpression {
  readonly source: string;
  /** The result for these `$name` bindings; `input` is the context `$` (Braid's nodes leave it undefined; JSONata's own test suite sets it). */
  evaluate(bindings: Record<string, unknown>, input?: unknown): Promise<unknown>;
  /** The result without promises when the expression and the values it meets are simple (fast-expression.ts); else NOT_FAST. The covered forms never read `$`. */
  evaluateFast(bindings: Record<string, unknown>): unknown;
}

export interface CompileOptions {
  /** Overrides of {@link DEFAULT_LIMITS} (tests). */
  limits?: Partial<ExpressionLimits>;
}

/**
 * Compiles `{% … %}` text. Throws {@link ExpressionError} with the position of
 * a syntax error, or LIMIT_REGEX for a regular expression RE2 cannot run.
 */
export function compileExpression(text: string, options: CompileOptions = {}): CompiledExpression {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let expr: jsonata.Expression;
  try {
    expr = jsonata(expressionBody(text), { stack: limits.depth, RegexEngine: Re2RegExp } as unknown as jsonata.JsonataOptions);
    for (const re of regexLiterals(expr.ast())) compileRe2(re);
  } catch (err) {
    throw toExpressionError(err);
  }
  expr.assign(ENTRY_HOOK as unknown as string, (_node: unknown, _input: unknown, environment: { base: MeteredFrame }) => {
    const base = environment.base;
    base.braidMeter ??= new ExpressionMeter(limits);
    base.braidMeter.step();
  });
  expr.assign(
    EXIT_HOOK as unknown as string,
    (node: StepNode, _input: unknown, environment: { base: MeteredFrame; lookup(name: string): unknown }, result: unknown) => {
      if (builds(node, environment)) meterOf(environment).built(result);
    },
  );
  guardLibrary(expr);
  const fast = fastEvaluator(expr.ast());
  return {
    source: text,
    evaluateFast(bindings) {
      if (!fast) return NOT_FAST;
      const v = fast(bindings);
      return v === NOT_FAST ? NOT_FAST : normalize(v, limits);
    },
    async evaluate(bindings, input) {
      try {
        return normalize(await expr.evaluate(input, bindings), limits);
      } catch (err) {
        throw toExpressionError(err);
      }
    },
  };
}

interface StepNode {
  type?: string;
  procedure?: { type?: string; value?: unknown };
}

/**
 * Library functions whose result is a value the expression already had (a
 * lookup of a key, the one item of a list): what they return was not built,
 * so it is not counted. A user's function is not counted either: what it
 * built inside was, step by step.
 */
const REFERENCING = new Set(['lookup', 'single', 'eval']);

/**
 * Whether a step builds its result (a concatenation, a range, a constructor,
 * a library function) rather than reading one (a path, a variable, a
 * condition's branch): only built strings and arrays count against the
 * limits, so a 5 MB input can still be read whole.
 */
function builds(node: StepNode, environment: { lookup(name: string): unknown }): boolean {
  switch (node.type) {
    case 'binary':
    case 'unary':
    case 'apply':
    case 'partial':
      return true;
    case 'function': {
      const name = node.procedure?.type === 'variable' ? node.procedure.value : undefined;
      if (typeof name !== 'string') return true;
      if (REFERENCING.has(name)) return false;
      const fn = environment.lookup(name) as { _jsonata_lambda?: boolean } | undefined;
      return !fn?._jsonata_lambda;
    }
    default:
      return false;
  }
}

/**
 * JSONata returns arrays tagged as sequences and may return functions; turn the
 * result into plain JSON (functions become `undefined`, non-finite numbers
 * `null`), counting values and characters against the output limits as it
 * goes, so a result that shares one object many times cannot blow up.
 */
function normalize(value: unknown, limits: ExpressionLimits): unknown {
  let values = 0;
  let chars = 0;
  const over = () =>
    new ExpressionError(`expression result is over its limit of ${limits.outputValues} values and ${limits.outputChars} characters`, LIMIT_CODES.output);
  const count = (n: number) => {
    values++;
    chars += n;
    if (values > limits.outputValues || chars > limits.outputChars) throw over();
  };
  if (value !== null && typeof value === 'object') {
    // Measured first, each distinct object once: a result that shares itself
    // is refused in as many steps as it has distinct parts, before any copy.
    sharedSize(
      value,
      { leaf: (v) => (v === null || v === undefined || typeof v === 'function' ? 0 : 1), node: (_v, children) => 1 + children },
      limits.outputValues,
      over,
    );
    sharedSize(
      value,
      {
        leaf: (v) => (typeof v === 'string' ? v.length : 0),
        node: (v, children) => {
          if (Array.isArray(v)) return children;
          let keys = 0;
          for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) keys += key.length;
          return keys + children;
        },
      },
      limits.outputChars,
      over,
    );
  }
  const walk = (v: unknown): unknown => {
    if (v === undefined || v === null) return v;
    if (typeof v === 'function') return undefined;
    if (typeof v === 'number') {
      count(0);
      return Number.isFinite(v) ? v : null;
    }
    if (typeof v === 'string') {
      count(v.length);
      return v;
    }
    if (typeof v !== 'object') {
      count(0);
      return v;
    }
    count(0);
    if (Array.isArray(v)) return v.map((item) => walk(item) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      chars += key.length;
      const n = walk(item);
      if (n !== undefined) setOwnProperty(out, key, n);
    }
    return out;
  };
  return walk(value);
}

/** Whether a JSON value holds any `{% … %}` string (a cheap check before evaluating). */
export function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return isExpression(value);
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) if (containsExpression(v)) return true;
  }
  return false;
}

/** Each `{% … %}` string inside a JSON value, with its path relative to the value. */
export function findExpressions(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; text: string }[] {
  if (isExpression(value)) return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findExpressions(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => findExpressions(v, [...path, k]));
  }
  return [];
}

/** Compiles each distinct expression once; one per run in the workflow. */
export class ExpressionCache {
  private readonly compiled = new Map<string, CompiledExpression>();
  constructor(private readonly options: CompileOptions = {}) {}

  get(text: string): CompiledExpression {
    let c = this.compiled.get(text);
    if (!c) {
      c = compileExpression(text, this.options);
      this.compiled.set(text, c);
    }
    return c;
  }
}

/**
 * {@link evaluateTemplate} without promises, when every expression inside
 * `value` is simple enough (fast-expression.ts); else NOT_FAST, and nothing
 * was evaluated that matters (the covered forms have no side effects).
 */
export function evaluateTemplateFast(value: unknown, bindings: Record<string, unknown>, cache: ExpressionCache): unknown {
  if (isExpression(value)) return cache.get(value).evaluateFast(bindings);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const v = evaluateTemplateFast(item, bindings, cache);
      if (v === NOT_FAST) return NOT_FAST;
      out.push(v);
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const v = evaluateTemplateFast(item, bindings, cache);
      if (v === NOT_FAST) return NOT_FAST;
      setOwnProperty(out, key, v);
    }
    return out;
  }
  return value;
}

/**
 * Replaces every expression inside `value` by its result. Objects and arrays are
 * copied, never mutated. Keys are copied as own data properties, so `__proto__`
 * in user data stays a plain key.
 */
export async function evaluateTemplate(value: unknown, bindings: Record<string, unknown>, cache: ExpressionCache): Promise<unknown> {
  if (isExpression(value)) return cache.get(value).evaluate(bindings);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await evaluateTemplate(item, bindings, cache));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      setOwnProperty(out, key, await evaluateTemplate(v, bindings, cache));
    }
    return out;
  }
  return value;
}
