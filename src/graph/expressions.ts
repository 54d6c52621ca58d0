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
import { SANDBOX_LIBRARY } from './expression-library';
import type { ExpressionLimits } from './expression-limits';
import {
  boundedJsonLength,
  compileRe2,
  DEFAULT_LIMITS,
  ExpressionMeter,
  LIMIT_CODES,
  LimitExceeded,
  Re2RegExp,
  regexLiterals,
  sharedSize,
} from './expression-limits';

export { DEFAULT_LIMITS, LIMIT_CODES } from './expression-limits';

export { NOT_FAST } from './fast-expression';

export { EXPRESSION_CLOSE, EXPRESSION_OPEN, isExpression } from './expression-syntax';

const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

/** The JSONata source inside `{% … %}`. */
export function expressionBody(text: string): string {
  return text.slice(EXPRESSION_OPEN.length, text.length - EXPRESSION_CLOSE.length);
}

/** A compile or evaluation error of one expression. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** JSONata error code, e.g. `S0202`, or one of Braid's limits (`LIMIT_STEPS`, … see expression-limits.ts). */
    readonly code: string,
    /** Character offset inside the expression body, when JSONata gives one. */
    readonly position?: number,
  ) {
    super(message);
  }
}

interface JsonataError {
  code?: string;
  message?: string;
  position?: number;
}

/** JSONata's own guards on depth: the `stack` option, and its recursion check. */
const JSONATA_DEPTH_CODES = new Set(['U1001', 'D1011']);

/**
 * `$eval` wraps what went wrong inside it (D3120, D3121) in an error whose
 * message quotes the inner one as JSON: nested, the escaping doubles per
 * level (500 levels ran out of memory). What it wrapped is the answer.
 */
function innermost(err: unknown): unknown {
  let inner = err;
  while (inner !== null && typeof inner === 'object' && (inner as { error?: unknown }).error !== undefined) inner = (inner as { error?: unknown }).error;
  return inner;
}

function toExpressionError(err: unknown): ExpressionError {
  err = innermost(err);
  if (err instanceof ExpressionError) return err;
  if (err instanceof LimitExceeded) return new ExpressionError(err.message, err.code);
  if (err instanceof RangeError) return new ExpressionError(`expression went too deep: ${err.message}`, LIMIT_CODES.depth);
  const e = (err ?? {}) as JsonataError;
  const code = typeof e.code === 'string' ? e.code : 'EVAL';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const position = typeof e.position === 'number' ? e.position : undefined;
  if (JSONATA_DEPTH_CODES.has(code)) return new ExpressionError(`expression exceeded its limit of nested evaluation (${message})`, LIMIT_CODES.depth, position);
  return new ExpressionError(position === undefined ? message : `${message} (at position ${position})`, code, position);
}

interface MeteredFrame {
  braidMeter?: ExpressionMeter;
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

/** Each evaluation's meter lives on its own root frame (`environment.base`), so concurrent evaluations count apart. */
const meterOf = (environment: { base: MeteredFrame }): ExpressionMeter => environment.base.braidMeter!;

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

interface JsonataFunction {
  implementation: (...args: unknown[]) => unknown;
}
type Focus = { environment: { base: MeteredFrame } };

const GUARDED = ['pad', 'join', 'string', 'replace', 'sort', 'eval'] as const;
let library: Record<string, JsonataFunction> | undefined;

/**
 * JSONata's own library functions. It hands them out only through an
 * evaluation's frame; the entry hook of a probe expression sees that frame,
 * and runs synchronously, before the evaluation's first `await`.
 */
function jsonataLibrary(): Record<string, JsonataFunction> {
  if (library) return library;
  const found: Record<string, JsonataFunction> = {};
  const probe = jsonata('0');
  probe.assign(ENTRY_HOOK as unknown as string, (_node: unknown, _input: unknown, environment: { lookup(name: string): unknown }) => {
    for (const name of GUARDED) found[name] = environment.lookup(name) as JsonataFunction;
  });
  void probe.evaluate(undefined).catch(() => undefined);
  for (const name of GUARDED) if (typeof found[name]?.implementation !== 'function') throw new Error(`JSONata has no $${name}`);
  library = found;
  return found;
}

type Guard = (this: Focus, ...args: never[]) => unknown;
const original = (name: (typeof GUARDED)[number]) => jsonataLibrary()[name]!.implementation;

/**
 * The library functions whose own work is not counted in steps, as versions
 * that check first (same names, same signatures as JSONata's). Written once:
 * each reads its evaluation's limits from the meter.
 */
const GUARDS: { name: (typeof GUARDED)[number]; signature: string; run: Guard }[] = [
  {
    name: 'pad',
    signature: '<s-ns?:s>',
    run(this: Focus, str: string, width: number, char?: string) {
      if (str !== undefined && typeof width === 'number') meterOf(this.environment).checkString(Math.abs(width));
      return original('pad').call(this, str, width, char);
    },
  },
  {
    name: 'join',
    signature: '<a<s>s?:s>',
    run(this: Focus, strings: string[] | undefined, separator?: string) {
      if (Array.isArray(strings)) {
        let length = Math.max(0, strings.length - 1) * (separator ?? '').length;
        for (const s of strings) length += typeof s === 'string' ? s.length : 0;
        meterOf(this.environment).checkString(length);
      }
      return original('join').call(this, strings, separator);
    },
  },
  {
    name: 'string',
    signature: '<x-b?:s>',
    run(this: Focus, value: unknown, prettify?: boolean) {
      if (value !== null && typeof value === 'object') {
        const meter = meterOf(this.environment);
        // Pretty printing adds indentation: allow for it.
        meter.charge(boundedJsonLength(value, Math.floor(meter.limits.string / (prettify ? 4 : 1))));
      }
      return original('string').call(this, value, prettify);
    },
  },
  {
    name: 'replace',
    signature: '<s-(sf)(sf)n?:s>',
    run(this: Focus, str: string, pattern: unknown, replacement: unknown, limit?: number) {
      if (typeof str === 'string' && typeof replacement === 'string') {
        const matches = typeof pattern === 'string' && pattern.length > 0 ? countOccurrences(str, pattern, limit) : str.length + 1;
        const grows = Math.max(0, replacement.length - (typeof pattern === 'string' ? pattern.length : 0));
        meterOf(this.environment).checkString(str.length + Math.min(matches, limit ?? Infinity) * grows);
      }
      return original('replace').call(this, str, pattern, replacement, limit);
    },
  },
  {
    name: 'sort',
    signature: '<af?:a>',
    run(this: Focus, items: unknown[] | undefined, comparator?: unknown) {
      if (!Array.isArray(items) || items.length <= 1) return items;
      const meter = meterOf(this.environment);
      if (comparator !== undefined) {
        meter.checkComparisons(items.length);
        return original('sort').call(this, items, comparator);
      }
      meter.charge(items.length);
      return sortNatively(items);
    },
  },
  {
    name: 'eval',
    signature: '<sx?:x>',
    run(this: Focus, source: string, context?: unknown) {
      const max = meterOf(this.environment).limits.evalSource;
      if (typeof source === 'string' && source.length > max) {
        throw new LimitExceeded(LIMIT_CODES.string, `$eval of ${source.length} characters, over its limit of ${max}`);
      }
      return (original('eval').call(this, source, context) as Promise<unknown>).catch((err: unknown) => {
        // JSONata's code (D3120: did not compile, D3121: failed), with the innermost message only.
        const inner = innermost(err) as JsonataError;
        const code = (err as JsonataError).code;
        if (inner instanceof LimitExceeded || inner instanceof ExpressionError || (code !== 'D3120' && code !== 'D3121')) throw inner;
        const message = inner.message ?? String(inner);
        throw { code, value: message, message, stack: new Error().stack };
      });
    },
  },
];

/**
 * Binds the guarded library functions, and the sandbox's own versions of
 * those that need Node (expression-library.ts), in place of JSONata's. A
 * guard keeps its original's `length`: JSONata passes a function given to
 * `$map` and its kin as many arguments as that says.
 */
function guardLibrary(expr: jsonata.Expression): void {
  for (const { name, signature, run } of GUARDS) {
    Object.defineProperty(run, 'length', { value: original(name).length });
    expr.registerFunction(name, run as (...args: unknown[]) => unknown, signature);
  }
  for (const { name, signature, implementation } of SANDBOX_LIBRARY) expr.registerFunction(name, implementation as (...args: unknown[]) => unknown, signature);
}

function countOccurrences(text: string, pattern: string, limit: number | undefined): number {
  let count = 0;
  const stop = limit ?? Infinity;
  for (let at = text.indexOf(pattern); at !== -1 && count < stop; at = text.indexOf(pattern, at + pattern.length)) count++;
  return count;
}

/**
 * `$sort` without a function, as JSONata defines it (numbers or strings,
 * ascending, stable) but with the engine's own sort: JSONata's merge sort
 * awaits a promise per comparison and copies the rest per element.
 */
function sortNatively(items: unknown[]): unknown[] {
  const numbers = items.every((v) => typeof v === 'number');
  if (!numbers && !items.every((v) => typeof v === 'string')) {
    throw { code: 'D3070', stack: new Error().stack, index: 1 };
  }
  return [...items].sort((a, b) => ((a as number) > (b as number) ? 1 : (a as number) < (b as number) ? -1 : 0));
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
