/**
 * `Prefer: wait=<seconds>` (RFC 7240): a client that would rather wait for a
 * run's end than poll for it. Preferences are hints: one that is malformed or
 * unknown is ignored, never an error.
 */

/** The longest wait a client may ask for, in seconds. */
export const MAX_WAIT_SECONDS = 60;

/** The `wait` preference in seconds (capped at MAX_WAIT_SECONDS), or undefined when there is none or it is malformed. */
export function preferredWait(header: string | undefined): number | undefined {
  if (!header) return undefined;
  for (const preference of header.split(',')) {
    const [token, ...rest] = preference.split(';')[0]!.split('=');
    if (token?.trim().toLowerCase() !== 'wait' || rest.length !== 1) continue;
    const value = rest[0]!.trim().replace(/^"(.*)"$/, '$1');
    if (!/^\d{1,9}$/.test(value)) return undefined;
    return Math.min(Number(value), MAX_WAIT_SECONDS);
  }
  return undefined;
}
