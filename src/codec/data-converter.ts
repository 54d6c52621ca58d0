/** The data converter client and worker share: encrypted when a key is set. */
import type { DataConverter } from '@temporalio/common';
import { resolve } from 'node:path';
import type { Config } from '../config';
import { AesGcmCodec, parseEncryptionKeys } from './aes-gcm-codec';

export const FAILURE_CONVERTER_PATH = resolve(__dirname, 'failure-converter.ts');

export function createDataConverter(key: string, keyId: string, previousKeys = ''): DataConverter {
  return {
    payloadCodecs: [new AesGcmCodec(parseEncryptionKeys(key, keyId, previousKeys))],
    // Failure messages and stack traces go into an encoded attribute too.
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

export function loadDataConverter(
  config: Pick<Config, 'encryptionKey' | 'encryptionKeyId'>,
  env: Record<string, string | undefined> = process.env,
): DataConverter | undefined {
  if (!config.encryptionKey) return undefined;
  return createDataConverter(config.encryptionKey, config.encryptionKeyId, env.BRAID_DECRYPTION_KEYS);
}
