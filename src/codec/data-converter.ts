/**
 * The data converter client and worker share: payloads are encrypted when a
 * key is set, then claim-checked when large (src/codec/claim-check.ts).
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/internal-non-workflow';
import { resolve } from 'node:path';
import type { Config } from '../config';
import { AesGcmCodec, parseEncryptionKeys } from './aes-gcm-codec';
import type { BlobStore } from './claim-check';
import { ClaimCheckCodec, diskStore, s3Store } from './claim-check';

export const FAILURE_CONVERTER_PATH = resolve(__dirname, 'failure-converter.ts');
/** JSON through the runtime's own UTF-8 encoder (src/codec/payload-converter.ts): for the client, the worker and the workflow bundle. */
export const PAYLOAD_CONVERTER_PATH = resolve(__dirname, 'payload-converter.ts');

/** Encrypts every payload (the key and its id, and older keys still accepted for decryption). */
export function encryptionCodec(key: string, keyId: string, previousKeys = ''): PayloadCodec {
  return new AesGcmCodec(parseEncryptionKeys(key, keyId, previousKeys));
}

export function createDataConverter(key: string, keyId: string, previousKeys = ''): DataConverter {
  return {
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    payloadCodecs: [encryptionCodec(key, keyId, previousKeys)],
    // Failure messages and stack traces go into an encoded attribute too.
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

export function payloadStoreOf(config: Pick<Config, 'payloadStore'>): BlobStore | undefined {
  const store = config.payloadStore;
  if (!store) return undefined;
  return store.kind === 'file' ? diskStore(store.dir) : s3Store(store);
}

export function loadDataConverter(
  config: Pick<Config, 'encryptionKey' | 'encryptionKeyId' | 'decryptionKeys' | 'payloadStore' | 'payloadThresholdBytes'>,
): DataConverter {
  const codecs: PayloadCodec[] = [];
  // Encode runs the codecs in this order (decode in reverse): encrypt, then claim-check the ciphertext.
  if (config.encryptionKey) codecs.push(encryptionCodec(config.encryptionKey, config.encryptionKeyId, config.decryptionKeys));
  const store = payloadStoreOf(config);
  if (store) codecs.push(new ClaimCheckCodec(store, config.payloadThresholdBytes));
  return {
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    ...(codecs.length > 0 ? { payloadCodecs: codecs } : {}),
    ...(config.encryptionKey ? { failureConverterPath: FAILURE_CONVERTER_PATH } : {}),
  };
}

/** The codecs of a data converter as one (the /codec endpoint decodes through all of them), in the SDK's own order. */
export function chainCodecs(codecs: readonly PayloadCodec[]): PayloadCodec {
  return {
    encode: (payloads: Payload[]) => encode([...codecs], payloads),
    decode: (payloads: Payload[]) => decode([...codecs], payloads),
  };
}
