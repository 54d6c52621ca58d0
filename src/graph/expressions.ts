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

export { NOT_FAST } from './fast-expression';

export { EXPRESSION_CLOSE, EXPRESSION_OPEN, isExpression } from './expression-syntax';

/**
 * Evaluation steps (JSONata `evaluate` entries) allowed per expression.
 *
 * Inside Temporal's workflow sandbox every promise gets a stack trace captured
 * (for the `__stack_trace` query) and JSONata makes several promises per step,
 * so a step costs ~0.15 ms there against ~1 µs outside: 10,000 steps took
 * ~1.4 s of workflow-task time on the 2-core reference machine, and 100,000
 * crashed the worker. Temporal flags a workflow task that runs over 2 s as a
 * deadlock, so the budget is 5,000 steps (~0.7 s), which still covers a
 * `$map` over several hundred items.
 */
export const DEFAULT_STEP_BUDGET = 5_000;
/** Nesting depth of JSONata evaluation allowed per expression. */
export const DEFAULT_MAX_DEPTH = 500;

const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');


/** The JSONata source inside `{% … %}`. */
export function expressionBody(text: string): string {
  return text.slice(EXPRESSION_OPEN.length, text.length - EXPRESSION_CLOSE.length);
}

/** A compile or evaluation error of one expression. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** JSONata error code, e.g. `S0202`, or Braid's `BUDGET` / `TYPE`. */
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

function toExpressionError(err: unknown): ExpressionError {
  if (err instanceof ExpressionError) return err;
  const e = (err ?? {}) as JsonataError;
  const code = typeof e.code === 'string' ? e.code : 'EVAL';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const position = typeof e.position === 'number' ? e.position : undefined;
  return new ExpressionError(position === undefined ? message : `${message} (at position ${position})`, code, position);
}

interface StepCounter {
  braidSteps?: number;
  braidBudget?: number;
}

/** A compiled expression with its evaluation bound. */
export interface CompiledExpression {
  readonly source: string;
  evaluate(bindings: Record<string, unknown>): Promise<unknown>;
  /** The result without promises when the expression and the values it meets are simple (fast-expression.ts); else NOT_FAST. */
  evaluateFast(bindings: Record<string, unknown>): unknown;
}

export interface CompileOptions {
  stepBudget?: number;
  maxDepth?: number;
}

/** Compiles `{% … %}` text. Throws {@link ExpressionError} with the position of a syntax error. */
export function compileExpression(text: string, options: CompileOptions = {}): CompiledExpression {
  const stepBudget = options.stepBudget ?? DEFAULT_STEP_BUDGET;
  let expr: jsonata.Expression;
  try {
    expr = jsonata(expressionBody(text), { stack: options.maxDepth ?? DEFAULT_MAX_DEPTH } as jsonata.JsonataOptions);
  } catch (err) {
    throw toExpressionError(err);
  }
  // The hook sees each evaluation's own root frame (`environment.base`), so
  // concurrent evaluations of one compiled expression count separately.
  expr.assign(ENTRY_HOOK as unknown as string, (_node: unknown, _input: unknown, environment: { base: StepCounter }) => {
    const base = environment.base;
    base.braidSteps = (base.braidSteps ?? 0) + 1;
    if (base.braidSteps > stepBudget) {
      throw new ExpressionError(`expression exceeded its budget of ${stepBudget} evaluation steps`, 'BUDGET');
    }
  });
  const fast = fastEvaluator(expr.ast());
  return {
    source: text,
    evaluateFast(bindings) {
      if (!fast) return NOT_FAST;
      const v = fast(bindings);
      return v === NOT_FAST ? NOT_FAST : normalize(v);
    },
    async evaluate(bindings) {
      try {
        return normalize(await expr.evaluate(undefined, bindings));
      } catch (err) {
        throw toExpressionError(err);
      }
    },
  };
}

/**
 * JSONata returns arrays tagged as sequences and may return functions; turn the
 * result into plain JSON (functions become `undefined`, non-finite numbers `null`).
 */
function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'function') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => normalize(v) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const n = normalize(v);
    if (n !== undefined) setOwnProperty(out, key, n);
  }
  return out;
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
export async function evaluateTemplate(
  value: unknown,
  bindings: Record<string, unknown>,
  cache: ExpressionCache,
): Promise<unknown> {
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
