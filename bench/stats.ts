/** What every benchmark scenario shares: order statistics, rounding, a silent bundler logger. */

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** The value at quantile `q` (0–1) of `xs`: the smallest one with at least q of the values at or below it. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), p95: quantile(s, 0.95), min: s[0]!, max: s.at(-1)! };
}

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const noop = () => undefined;
/** For bundleWorkflowCode: the bench prints its own progress. */
export const quietBundler = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
