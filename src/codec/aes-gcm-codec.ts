/**
 * AES-256-GCM payload encryption. With it, Temporal's history and Web UI hold
 * only ciphertext; the worker and the API (and, through the codec endpoint,
 * the Web UI of those allowed) decrypt. Each payload names the key that
 * encrypted it, so keys can rotate: new payloads use the current key, old ones
 * decrypt with any key still listed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_META = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const fromUtf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

export interface EncryptionKeys {
  currentId: string;
  keys: Map<string, Buffer>;
}

/** Parses `BRAID_ENCRYPTION_KEY` (base64, 32 bytes) plus older `id:base64` keys kept for decryption. */
export function parseEncryptionKeys(current: string, currentId: string, previous = ''): EncryptionKeys {
  const keys = new Map<string, Buffer>();
  const add = (id: string, b64: string) => {
    const key = Buffer.from(b64.trim(), 'base64');
    if (key.length !== 32) throw new EncryptionKeyError(`encryption key "${id}" must be 32 bytes of base64 (got ${key.length} bytes)`);
    keys.set(id, key);
  };
  add(currentId, current);
  for (const entry of previous
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new EncryptionKeyError('BRAID_DECRYPTION_KEYS entries must be "id:base64key"');
    add(entry.slice(0, sep), entry.slice(sep + 1));
  }
  return { currentId, keys };
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: EncryptionKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.currentId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_META]: utf8(this.keys.currentId) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (fromUtf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromUtf8(payload.metadata?.[KEY_ID_META]);
      const key = this.keys.keys.get(keyId);
      if (!key) throw new EncryptionKeyError(`no key "${keyId}" to decrypt a payload; list it in BRAID_DECRYPTION_KEYS`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new EncryptionKeyError('an encrypted payload is shorter than its IV and 16-byte tag');
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      // A 16-byte tag, always: GCM would otherwise accept a truncated one, weakening authentication.
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
