/**
 * BRAID_DECRYPTION_KEYS reaches the data converter through the configuration
 * (loadConfig → loadDataConverter): payloads written under an older key are
 * still read after the key changes, and not without it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, parseEncryptionKeys } from '../../src/codec/aes-gcm-codec';
import { loadDataConverter } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config';

const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"order":7}') };

describe('a rotated payload key', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  it('still decrypts what the old key wrote when BRAID_DECRYPTION_KEYS names it', async () => {
    const [written] = await new AesGcmCodec(parseEncryptionKeys(oldKey, 'old')).encode([payload]);
    const config = loadConfig({ BRAID_ENCRYPTION_KEY: newKey, BRAID_ENCRYPTION_KEY_ID: 'new', BRAID_DECRYPTION_KEYS: `old:${oldKey}`, PAYLOAD_STORE: 'off' });
    expect(config.decryptionKeys).toBe(`old:${oldKey}`);
    const [read] = await loadDataConverter(config).payloadCodecs![0]!.decode([written!]);
    expect(new TextDecoder().decode(read!.data!)).toBe('{"order":7}');
  });

  it('refuses it without', async () => {
    const [written] = await new AesGcmCodec(parseEncryptionKeys(oldKey, 'old')).encode([payload]);
    const config = loadConfig({ BRAID_ENCRYPTION_KEY: newKey, BRAID_ENCRYPTION_KEY_ID: 'new', PAYLOAD_STORE: 'off' });
    await expect(loadDataConverter(config).payloadCodecs![0]!.decode([written!])).rejects.toThrow();
  });
});
