/**
 * JSONata library functions that reach for Node's built-ins, written for
 * Temporal's workflow sandbox (which has no `Buffer` and no `window`). Each
 * gives JSONata's answer on Node: `$base64encode` writes each character as one
 * byte (Latin-1, Node's `'binary'`), `$base64decode` reads each byte back as
 * one character. A character above U+00FF has no byte: JSONata on Node would
 * silently keep its low byte, a browser throws; Braid throws (D3137, naming
 * the character), rather than send a corrupted credential.
 *
 * The rest of JSONata's library runs as it is inside the sandbox (checked by
 * JSONata's own suite, test/workflows/jsonata-suite.test.ts), `$length` too,
 * only faster (it appears below, with its reason). `$now()` and
 * `$millis()` read the workflow's clock, the time of the workflow task, the
 * same on replay; `$random()` and `$shuffle()` use the workflow's seeded
 * random numbers, the same on replay.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((ch, i) => [ch, i]));

/** A JSONata-shaped error (code, message, stack), as its own functions throw. */
function jsonataError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

export function base64encode(str: string | undefined): string | undefined {
  if (str === undefined) return undefined;
  let out = '';
  for (let i = 0; i < str.length; i += 3) {
    const bytes = [0, 1, 2].map((k) => (i + k < str.length ? byteOf(str, i + k) : -1));
    const [a, b, c] = bytes as [number, number, number];
    const n = (a << 16) | (Math.max(b, 0) << 8) | Math.max(c, 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + (b < 0 ? '=' : ALPHABET[(n >> 6) & 63]!) + (c < 0 ? '=' : ALPHABET[n & 63]!);
  }
  return out;
}

function byteOf(str: string, i: number): number {
  const code = str.charCodeAt(i);
  if (code > 0xff)
    throw jsonataError(
      'D3137',
      `$base64encode takes characters up to U+00FF (one byte each); "${str[i]}" at ${i} is U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
    );
  return code;
}

/** Node's reading: characters outside the alphabet are skipped, padding ends the data. */
export function base64decode(str: string | undefined): string | undefined {
  if (str === undefined) return undefined;
  let bits = 0;
  let count = 0;
  let out = '';
  for (const ch of str) {
    if (ch === '=') break;
    const v = INDEX.get(ch === '-' ? '+' : ch === '_' ? '/' : ch);
    if (v === undefined) continue;
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += String.fromCharCode((bits >> count) & 0xff);
      bits &= (1 << count) - 1;
    }
  }
  return out;
}

/**
 * JSONata's answer (characters, a surrogate pair counting once) without
 * JSONata's way to it: it builds an array of every character first, which
 * cost a run that measured 160 strings of 200 KB 1.6 s of workflow thread.
 */
export function length(str: string | undefined): number | undefined {
  if (str === undefined) return undefined;
  let pairs = 0;
  for (let i = 0; i < str.length - 1; i++) {
    const code = str.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = str.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return str.length - pairs;
}

/** The replacements, with JSONata's own signatures. */
export const SANDBOX_LIBRARY: { name: string; signature: string; implementation: (...args: never[]) => unknown }[] = [
  { name: 'base64encode', signature: '<s-:s>', implementation: base64encode },
  { name: 'base64decode', signature: '<s-:s>', implementation: base64decode },
  { name: 'length', signature: '<s-:n>', implementation: length },
];
