/**
 * Limits on what one JSONata expression may do.
 *
 * Expressions run inside the Temporal workflow sandbox, on the workflow
 * thread every run of the worker shares, where nothing can interrupt
 * synchronous work and the wall clock is frozen. So every bound is counted,
 * never timed, and every native operation that could do unbounded work is
 * checked *before* it runs:
 *
 * - evaluation steps (JSONata `evaluate` entries), each several promises;
 * - the size of what each step builds: strings, arrays (a range `[1..1e7]`
 *   is built by JSONata before anything can look, but only once: the step
 *   that built it fails), and the sum of those sizes (LIMIT_WORK);
 * - the library functions whose own work is not counted in steps: `$pad`,
 *   `$join`, `$string`, `$replace`, `$sort` (JSONata's merge sort awaits a
 *   promise per comparison and copies per element: 200,000 numbers never
 *   ended), `$eval`;
 * - regular expressions run on RE2 (linear time, re2js); a pattern RE2
 *   cannot run (backreferences, lookaround) is refused when the expression
 *   is compiled, so at validation;
 * - the result: its values and characters, walked once with a counter, so a
 *   structure that shares one object many times cannot blow up.
 *
 * Reaching a limit throws {@link ExpressionError} with the limit's code.
 */
import { RE2JS } from 're2js';

/** The codes of the limits, as an `ExpressionError`'s `code`. */
export const LIMIT_CODES = {
  steps: 'LIMIT_STEPS',
  string: 'LIMIT_STRING',
  array: 'LIMIT_ARRAY',
  work: 'LIMIT_WORK',
  output: 'LIMIT_OUTPUT',
  depth: 'LIMIT_DEPTH',
  regex: 'LIMIT_REGEX',
} as const;
export type LimitCode = (typeof LIMIT_CODES)[keyof typeof LIMIT_CODES];

export interface ExpressionLimits {
  /**
   * Evaluation steps. A step costs ~0.25–0.5 ms in the workflow sandbox
   * (every promise captures a stack trace there; the sandbox's `Error` is
   * frozen, so that cannot be turned down): 5,000 steps took 1.4–2.7 s of
   * a worker's workflow thread, past the 2 s after which Temporal calls a
   * task deadlocked. 2,500 stay inside it and still cover a `$map` of a
   * function over 500 items.
   */
  steps: number;
  /** Characters of any one string an expression builds. */
  string: number;
  /** Items of any one array an expression builds. */
  array: number;
  /** Characters and items built over the whole evaluation. */
  work: number;
  /** Values (each scalar, array and object counts one) in the result. */
  outputValues: number;
  /** Characters of strings and keys in the result. */
  outputChars: number;
  /** Nested evaluation depth (recursion). */
  depth: number;
  /** Characters of the source `$eval` may compile. */
  evalSource: number;
}

export const DEFAULT_LIMITS: ExpressionLimits = {
  steps: 2_500,
  string: 5_000_000,
  array: 500_000,
  work: 20_000_000,
  outputValues: 500_000,
  outputChars: 16_000_000,
  depth: 500,
  evalSource: 100_000,
};

/** Thrown by the limits; expressions.ts turns it into an ExpressionError. */
export class LimitExceeded extends Error {
  constructor(
    readonly code: LimitCode,
    message: string,
  ) {
    super(message);
  }
}

/** Counts one evaluation's steps and built sizes. */
export class ExpressionMeter {
  steps = 0;
  work = 0;
  constructor(readonly limits: ExpressionLimits) {}

  step(): void {
    if (++this.steps > this.limits.steps) {
      throw new LimitExceeded(LIMIT_CODES.steps, `expression exceeded its limit of ${this.limits.steps} evaluation steps`);
    }
  }

  /** Checks a value a step produced, counting what it built. */
  built(value: unknown): void {
    if (typeof value === 'string') {
      this.checkString(value.length);
      this.charge(value.length);
    } else if (Array.isArray(value)) {
      this.checkArray(value.length);
      this.charge(value.length);
    }
  }

  /** Refuses, before it is built, a string of this many characters. */
  checkString(length: number): void {
    if (length > this.limits.string) {
      throw new LimitExceeded(LIMIT_CODES.string, `expression built a string of ${length} characters, over its limit of ${this.limits.string}`);
    }
  }

  checkArray(length: number): void {
    if (length > this.limits.array) {
      throw new LimitExceeded(LIMIT_CODES.array, `expression built an array of ${length} items, over its limit of ${this.limits.array}`);
    }
  }

  /** Refuses, before it is done, work past the budget (also counts it). */
  charge(units: number): void {
    this.work += units;
    if (this.work > this.limits.work) {
      throw new LimitExceeded(LIMIT_CODES.work, `expression built more than its limit of ${this.limits.work} characters and items in all`);
    }
  }

  /** Refuses up front a sort whose comparisons alone would pass the step limit. */
  checkComparisons(items: number): void {
    const least = items <= 1 ? 0 : Math.floor(items / 2) * Math.ceil(Math.log2(items));
    if (this.steps + least > this.limits.steps) {
      throw new LimitExceeded(
        LIMIT_CODES.steps,
        `sorting ${items} items with a function takes at least ${least} calls, past the expression's limit of ${this.limits.steps} evaluation steps`,
      );
    }
  }
}

/** Whether a value is a JSONata function (written as "" by `$string`, left out of results). */
export const isJsonataFunction = (v: object): boolean =>
  (v as { _jsonata_function?: boolean })._jsonata_function === true || (v as { _jsonata_lambda?: boolean })._jsonata_lambda === true;

/**
 * The size of a value written out, shared parts counted each time they
 * appear (as JSON writes them), but each distinct object measured once: an
 * object that holds itself twice, forty levels deep, is known to be 2^40
 * items long after forty steps, not after building them. `leaf` measures a
 * string, number, boolean or null; `node` an object or array from its own
 * keys and items' sizes. Throws `over()` as soon as the total passes `max`.
 */
export function sharedSize(
  value: unknown,
  measure: { leaf(v: unknown): number; node(v: object, children: number): number },
  max: number,
  over: () => Error,
): number {
  const memo = new Map<object, number>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return measure.leaf(v);
    const known = memo.get(v);
    if (known !== undefined) return known;
    let children = 0;
    if (!isJsonataFunction(v)) {
      if (Array.isArray(v)) {
        for (const item of v) {
          children += size(item);
          if (children > max) throw over();
        }
      } else {
        for (const key in v) {
          if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
          children += size((v as Record<string, unknown>)[key]);
          if (children > max) throw over();
        }
      }
    }
    const total = measure.node(v, children);
    if (total > max) throw over();
    memo.set(v, total);
    return total;
  };
  return size(value);
}

/** The characters `JSON.stringify(value)` would write, stopping (and throwing) past `max`. */
export function boundedJsonLength(value: unknown, max: number): number {
  return sharedSize(
    value,
    {
      leaf: (v) =>
        typeof v === 'string' ? v.length + 2 : v === null || v === undefined ? 4 : typeof v === 'number' || typeof v === 'boolean' ? String(v).length : 0,
      node: (v, children) => {
        // A JSONata function is written as "" (its environment is not walked).
        if (isJsonataFunction(v)) return 2;
        if (Array.isArray(v)) return 2 + v.length + children;
        let keys = 0;
        for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) keys += key.length + 4;
        return 2 + keys + children;
      },
    },
    max,
    () => new LimitExceeded(LIMIT_CODES.string, `expression built a string of more than ${max} characters, over its limit`),
  );
}

/**
 * A RegExp-shaped wrapper around RE2 for JSONata's `RegexEngine` option:
 * JSONata constructs it from the regex literal it parsed and calls `exec`
 * with `lastIndex` set, as with a global RegExp.
 */
export class Re2RegExp {
  lastIndex = 0;
  private readonly re: RE2JS;
  constructor(pattern: RegExp | string) {
    this.re = compileRe2(pattern);
  }

  exec(text: string): ((string | undefined)[] & { index: number; input: string }) | null {
    const matcher = this.re.matcher(text);
    if (this.lastIndex > text.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const start = matcher.start();
    const end = matcher.end();
    this.lastIndex = end;
    return Object.assign(groups, { index: start, input: text });
  }
}

/** Compiles a JavaScript regex (source and flags) with RE2, or throws LIMIT_REGEX naming why. */
export function compileRe2(pattern: RegExp | string): RE2JS {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const flags = typeof pattern === 'string' ? '' : pattern.flags;
  let f = 0;
  if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) f |= RE2JS.MULTILINE;
  if (flags.includes('s')) f |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(source, f);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new LimitExceeded(
      LIMIT_CODES.regex,
      `regular expression /${source}/ cannot run in linear time (${why}); Braid runs regular expressions with RE2: no backreferences or lookaround`,
    );
  }
}

/** Every regex literal in a JSONata syntax tree (they are compiled before anything runs). */
export function regexLiterals(ast: unknown): RegExp[] {
  const found: RegExp[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (node instanceof RegExp) {
      found.push(node);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(ast);
  return found;
}
