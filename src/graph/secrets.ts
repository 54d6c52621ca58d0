/**
 * Secrets in expressions. `{% $secrets.NAME %}` must never put a secret's value
 * in workflow history, so inside the workflow `$secrets.NAME` evaluates to a
 * placeholder string; the `http` activity swaps placeholders for the values of
 * env `BRAID_SECRET_NAME` just before the request is sent. Placeholders survive
 * string concatenation (`"Bearer " & $secrets.TOKEN`), and the API shows them
 * as `"[secret]"`.
 *
 * A placeholder carries the run's nonce: 128 random bits the run draws once
 * (a local activity, so the value is in its history and nowhere else) and
 * hands the activity beside the request. Data from outside (an input, a
 * webhook body, an upstream answer) cannot know it, so a placeholder written
 * into data is never substituted. Runs recorded before the nonce carry the
 * old form (`legacy`), which only their own activities resolve.
 */
import { setOwnProperty } from './own-property';

const OPEN = '\u0000braid-secret:';
const CLOSE = '\u0000';

/** Any placeholder, with or without a nonce: group 1 the nonce, group 2 the name. */
// eslint-disable-next-line no-control-regex -- the placeholder is delimited by NUL on purpose
export const SECRET_PLACEHOLDER_PATTERN = /\u0000braid-secret:(?:([0-9a-f]{32}):)?([A-Za-z_][A-Za-z0-9_]*)\u0000/g;
export const REDACTED = '[secret]';

/** The placeholder of `name` in a run with this nonce (none: the form runs recorded before nonces use). */
export function secretPlaceholder(name: string, nonce?: string): string {
  return nonce === undefined ? `${OPEN}${name}${CLOSE}` : `${OPEN}${nonce}:${name}${CLOSE}`;
}

const REFERENCE = /\$secrets\.([A-Za-z_][A-Za-z0-9_]{0,127})/g;

/** Each name referenced as `$secrets.NAME` anywhere in a definition. */
export function secretNames(definition: unknown): string[] {
  const text = typeof definition === 'string' ? definition : (JSON.stringify(definition) ?? '');
  return [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]!))];
}

/**
 * The `$secrets` binding for a definition: each name referenced as
 * `$secrets.NAME` anywhere in it maps to its placeholder.
 */
export function secretsBinding(definition: unknown, nonce?: string): Record<string, string> {
  const binding: Record<string, string> = Object.create(null);
  for (const name of secretNames(definition)) binding[name] = secretPlaceholder(name, nonce);
  return binding;
}

/**
 * Which placeholders an activity may resolve, sent beside its request: the
 * run's nonce, or `legacy` for a run recorded before nonces. Without it, none.
 */
export type SecretScope = { secretNonce: string } | { legacySecrets: true };

/** Replaces placeholders everywhere inside `value` (a copy; the input is not changed). */
export function mapSecretStrings<T>(value: T, replace: (text: string) => string): T {
  if (typeof value === 'string') return (value.includes(OPEN) ? replace(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => mapSecretStrings(v, replace)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwnProperty(out, k, mapSecretStrings(v, replace));
    return out as T;
  }
  return value;
}

/** For display: every placeholder becomes `[secret]`. */
export function redactSecrets<T>(value: T): T {
  return mapSecretStrings(value, (text) => text.replace(SECRET_PLACEHOLDER_PATTERN, REDACTED));
}
