/**
 * The simplest JSONata expressions, evaluated without promises.
 *
 * JSONata 2 evaluates asynchronously: a string built from an item's index,
 * `"…?i=" & $string($index)`, makes 36 promises. Inside Temporal's workflow
 * sandbox every promise costs a stack-trace capture (sdk-typescript#1587),
 * so that one expression took ~1.7 ms of workflow-task time per forEach item,
 * more than the rest of the item's run.
 *
 * This covers the forms node data uses most, on JSONata's own syntax tree:
 * literals, `$variable` and `$variable.name.name` paths over plain objects,
 * `&` and `$string(x)` over strings, booleans, null and integers below 1e15.
 * For anything else, at compile time or for a value met at run time (an
 * array, which JSONata treats as a sequence; a fraction, which it rounds to
 * 15 digits; a missing variable), it answers NOT_FAST and the caller
 * evaluates with JSONata. Its results are JSONata's: a differential property
 * test compares the two.
 */

/** The answer when this evaluator cannot be sure of JSONata's result. */
export const NOT_FAST: unique symbol = Symbol('not fast');

export type FastEvaluator = (bindings: Record<string, unknown>) => unknown;

/** JSONata's syntax tree node, as `expression.ast()` returns it. */
interface AstNode {
  type?: unknown;
  value?: unknown;
  steps?: unknown;
  lhs?: unknown;
  rhs?: unknown;
  procedure?: unknown;
  arguments?: unknown;
}

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  string: ['type', 'value', 'position'],
  number: ['type', 'value', 'position'],
  value: ['type', 'value', 'position'],
  variable: ['type', 'value', 'position'],
  name: ['type', 'value', 'position'],
  path: ['type', 'steps'],
  binary: ['type', 'value', 'position', 'lhs', 'rhs'],
  function: ['type', 'value', 'position', 'arguments', 'procedure'],
};

/** Whether a node has only the keys of its plain form (no predicates, stages, grouping, focus or index binding). */
function plain(node: unknown): node is AstNode {
  if (node === null || typeof node !== 'object') return false;
  const allowed = ALLOWED_KEYS[String((node as AstNode).type)];
  // JSONata leaves some keys present but undefined: only those with a value count.
  return allowed !== undefined && Object.entries(node).every(([k, v]) => v === undefined || allowed.includes(k));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** A value at most as JSONata's `$string` writes it, for the values whose writing is certain. */
function asString(v: unknown): string | undefined | typeof NOT_FAST {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return NOT_FAST;
}

/** A value JSONata passes through unchanged: not an array (a sequence), not a function. */
function settled(v: unknown): unknown {
  if (Array.isArray(v) || typeof v === 'function' || typeof v === 'bigint' || typeof v === 'symbol') return NOT_FAST;
  if (v !== null && typeof v === 'object' && !isPlainObject(v)) return NOT_FAST;
  return v;
}

/** The evaluator for this syntax tree, or undefined when it is outside the covered forms. */
export function fastEvaluator(ast: unknown): FastEvaluator | undefined {
  if (!plain(ast)) return undefined;
  switch (ast.type) {
    case 'string':
      return typeof ast.value === 'string' ? constant(ast.value) : undefined;
    case 'number':
      return typeof ast.value === 'number' && Number.isFinite(ast.value) ? constant(ast.value) : undefined;
    case 'value':
      return ast.value === true || ast.value === false || ast.value === null ? constant(ast.value) : undefined;
    case 'variable':
      return variable(ast.value);
    case 'path':
      return path(ast.steps);
    case 'binary':
      return ast.value === '&' ? concat(ast.lhs, ast.rhs) : undefined;
    case 'function':
      return stringCall(ast);
    default:
      return undefined;
  }
}

function constant(value: unknown): FastEvaluator {
  return () => value;
}

function variable(name: unknown): FastEvaluator | undefined {
  // `$` alone is the context (undefined here); names JSONata defines are functions.
  if (typeof name !== 'string' || name === '') return undefined;
  return (bindings) => (Object.prototype.hasOwnProperty.call(bindings, name) ? settled(bindings[name]) : NOT_FAST);
}

function path(steps: unknown): FastEvaluator | undefined {
  if (!Array.isArray(steps) || steps.length < 2) return undefined;
  const [first, ...rest] = steps as unknown[];
  if (!plain(first) || first.type !== 'variable') return undefined;
  const root = variable(first.value);
  const names: string[] = [];
  for (const step of rest) {
    if (!plain(step) || step.type !== 'name' || typeof step.value !== 'string') return undefined;
    names.push(step.value);
  }
  if (!root) return undefined;
  return (bindings) => {
    let v = root(bindings);
    for (const name of names) {
      if (v === NOT_FAST) return NOT_FAST;
      if (!isPlainObject(v)) return NOT_FAST;
      v = Object.prototype.hasOwnProperty.call(v, name) ? settled(v[name]) : undefined;
      if (v === undefined) return undefined;
    }
    return v;
  };
}

function concat(lhs: unknown, rhs: unknown): FastEvaluator | undefined {
  const l = fastEvaluator(lhs);
  const r = fastEvaluator(rhs);
  if (!l || !r) return undefined;
  return (bindings) => {
    const a = l(bindings);
    const b = a === NOT_FAST ? NOT_FAST : r(bindings);
    if (a === NOT_FAST || b === NOT_FAST) return NOT_FAST;
    const sa = asString(a);
    const sb = asString(b);
    if (sa === NOT_FAST || sb === NOT_FAST) return NOT_FAST;
    return (sa ?? '') + (sb ?? '');
  };
}

function stringCall(ast: AstNode): FastEvaluator | undefined {
  const proc = ast.procedure;
  if (ast.value !== '(' || !plain(proc) || proc.type !== 'variable' || proc.value !== 'string') return undefined;
  if (!Array.isArray(ast.arguments) || ast.arguments.length !== 1) return undefined;
  const arg = fastEvaluator(ast.arguments[0]);
  if (!arg) return undefined;
  return (bindings) => {
    // A binding named `string` would shadow the function.
    if (Object.prototype.hasOwnProperty.call(bindings, 'string')) return NOT_FAST;
    const v = arg(bindings);
    return v === NOT_FAST ? NOT_FAST : asString(v);
  };
}
