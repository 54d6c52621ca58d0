/**
 * Secrets in expressions. `{% $secrets.NAME %}` must never put a secret's value
 * in workflow history, so inside the workflow `$secrets.NAME` evaluates to a
 * placeholder string; the activity swaps placeholders for the values of env
 * `BRAID_SECRET_NAME` just before the request is sent. Placeholders survive
 * string concatenation (`"Bearer " & $secrets.TOKEN`), and the API shows them
 * as `"[secret]"`.
 */
import { setOwnProperty } from './own-property';

const OPEN = '\u0000braid-secret:';
const CLOSE = '\u0000';

// eslint-disable-next-line no-control-regex -- the placeholder is delimited by NUL on purpose
export const SECRET_PLACEHOLDER_PATTERN = /\u0000braid-secret:([A-Za-z_][A-Za-z0-9_]*)\u0000/g;
export const REDACTED = '[secret]';

export function secretPlaceholder(name: string): string {
  return `${OPEN}${name}${CLOSE}`;
}

const REFERENCE = /\$secrets\.([A-Za-z_][A-Za-z0-9_]{0,127})/g;

/**
 * The `$secrets` binding for a definition: each name referenced as
 * `$secrets.NAME` anywhere in it maps to its placeholder.
 */
export function secretsBinding(definition: unknown): Record<string, string> {
  const binding: Record<string, string> = Object.create(null);
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition) ?? '';
  for (const match of text.matchAll(REFERENCE)) binding[match[1]!] = secretPlaceholder(match[1]!);
  return binding;
}

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
