/**
 * Credentials at rest: AES-256-GCM with a random 96-bit IV per value and
 * the credential's project and name as additional data (a ciphertext moved
 * to another row does not decrypt). The key is derived (HKDF-SHA256) from
 * BRAID_ENCRYPTION_KEY when it is set, else a key file Braid makes in
 * DATA_DIR on first start (0600), read by the API and the worker alike.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ENCRYPTION_KEY_FILE = 'credentials.key';

export interface Sealed {
  iv: string;
  ciphertext: string;
  tag: string;
}

export class CredentialKeyError extends Error {
  override readonly name = 'CredentialKeyError';
}

/** The 32-byte key: from BRAID_ENCRYPTION_KEY, else from (or made in) `$dataDir/credentials.key`. */
export function loadEncryptionKey(opts: { encryptionKey?: string; dataDir: string }): Buffer {
  if (opts.encryptionKey !== undefined) {
    const key = Buffer.from(opts.encryptionKey, 'base64');
    if (key.length !== 32) throw new CredentialKeyError('BRAID_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)');
    // The payload codec uses this key too: the credentials get a key of their own derived from it.
    return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'braid credentials v1', 32));
  }
  const file = join(opts.dataDir, ENCRYPTION_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // wx: two processes starting together keep the first key.
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new CredentialKeyError(`${file} must hold 32 bytes, base64`);
  return key;
}

const aad = (project: string, name: string) => Buffer.from(JSON.stringify([project, name]));

export function seal(key: Buffer, project: string, name: string, plaintext: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(project, name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

export function open(key: Buffer, project: string, name: string, sealed: Sealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), { authTagLength: 16 });
  decipher.setAAD(aad(project, name));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
}
