/**
 * JSONata library functions whose own work is not counted in steps ($pad,
 * $join, $string, $replace, $sort, $eval), replaced by versions that check
 * their evaluation's limits first, and the sandbox-safe library bound beside them.
 */
import jsonata from 'jsonata';
import { SANDBOX_LIBRARY } from './expression-library';
import type { ExpressionMeter } from './expression-limits';
import { boundedJsonLength, LIMIT_CODES, LimitExceeded } from './expression-limits';
import type { JsonataError } from './expression-error';
import { ExpressionError, innermost } from './expression-error';

export const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');

export interface MeteredFrame {
  braidMeter?: ExpressionMeter;
}

/** Each evaluation's meter lives on its own root frame (`environment.base`), so concurrent evaluations count apart. */
export const meterOf = (environment: { base: MeteredFrame }): ExpressionMeter => environment.base.braidMeter!;

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
export function guardLibrary(expr: jsonata.Expression): void {
  for (const { name, signature, run } of GUARDS) {
    Object.defineProperty(run, 'length', { value: original(name).length });
    expr.registerFunction(name, run as (...args: unknown[]) => unknown, signature);
  }
  for (const { name, signature, implementation } of SANDBOX_LIBRARY) expr.registerFunction(name, implementation as (...args: unknown[]) => unknown, signature);
}

export function countOccurrences(text: string, pattern: string, limit: number | undefined): number {
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
export function sortNatively(items: unknown[]): unknown[] {
  const numbers = items.every((v) => typeof v === 'number');
  if (!numbers && !items.every((v) => typeof v === 'string')) {
    throw { code: 'D3070', stack: new Error().stack, index: 1 };
  }
  return [...items].sort((a, b) => ((a as number) > (b as number) ? 1 : (a as number) < (b as number) ? -1 : 0));
}
