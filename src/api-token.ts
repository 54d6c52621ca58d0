/**
 * The API's credential when the operator set none: `npm start` (and `npm run
 * api`) make a random token on first start, keep it in `$DATA_DIR/api-token`
 * (mode 0600) and use it again on later starts, as Jupyter does with its
 * token. Nothing on /v1, /metrics or /codec answers without it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_TOKEN_FILE = 'api-token';

export interface ApiTokenSource {
  token: string;
  /** `env`: API_TOKEN; `file`: read from DATA_DIR; `generated`: made now and written there. */
  from: 'env' | 'file' | 'generated';
  path?: string;
}

export function ensureApiToken(apiToken: string | undefined, dataDir: string): ApiTokenSource {
  if (apiToken) return { token: apiToken, from: 'env' };
  const path = join(dataDir, API_TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 32) {
      // A file others can read is not a secret: tighten it.
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      return { token, from: 'file', path };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, from: 'generated', path };
}
