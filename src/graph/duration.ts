/**
 * Durations in definitions are strings such as `250ms`, `30s`, `5m`, `2h`, `7d`.
 * Decimals are allowed (`1.5s`); the result is whole milliseconds.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION_PATTERN = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m|h|d)$/;

/** Longest duration accepted anywhere (a year); keeps timers and timeouts sane. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

/** Parses a duration string to milliseconds, or returns `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** Like {@link parseDuration} but throws; for values that were validated already. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new RangeError(`not a duration: ${JSON.stringify(text)}`);
  return ms;
}
