/**
 * Claim check: a payload over a threshold (128 KiB by default) is stored
 * outside Temporal, and history keeps a small reference to it. Temporal
 * refuses payloads over 2 MB and terminates a run whose history passes 50 MB;
 * with the claim check a node output of any size costs history ~100 bytes.
 * The client (API) and the worker share the store and this codec, so the API
 * and expressions see the real value. It runs after encryption
 * (data-converter.ts), so what is stored is ciphertext when a key is set.
 *
 * Stored objects are addressed by the SHA-256 of their bytes: storing the same
 * payload twice writes it once, and a read checks what it got.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Client as S3Client } from 'minio';

export const CLAIM_CHECK_ENCODING = 'binary/braid-claim-check';
export const DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES = 128 * 1024;

/** Where claim-checked payloads live. */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** For logs and errors: where it is. */
  readonly location: string;
}

const text = new TextEncoder();
const untext = new TextDecoder();

export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly store: BlobStore,
    private readonly thresholdBytes = DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        // Measured first, without serializing: most payloads are small, and protobuf's encoder is not cheap.
        if (encodedSize(payload) <= this.thresholdBytes) return payload;
        const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
        const key = sha256(bytes);
        await this.store.put(key, bytes);
        return { metadata: { encoding: text.encode(CLAIM_CHECK_ENCODING) }, data: text.encode(JSON.stringify({ key, size: bytes.length })) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || untext.decode(encoding) !== CLAIM_CHECK_ENCODING) return payload;
        const { key } = JSON.parse(untext.decode(payload.data ?? new Uint8Array())) as { key: unknown };
        // A reference is a sha256: anything else (a path, `../`) never reaches the store, and the error names no folder.
        if (typeof key !== 'string' || !CLAIM_KEY.test(key))
          throw new ClaimCheckKeyError('a claim-checked payload reference must be 64 lowercase hex characters');
        const bytes = await this.store.get(key);
        if (sha256(bytes) !== key) throw new Error(`claim-checked payload ${key} in ${this.store.location} does not match its hash`);
        const stored = temporal.api.common.v1.Payload.decode(bytes);
        return { metadata: stored.metadata, data: stored.data };
      }),
    );
  }
}

const CLAIM_KEY = /^[0-9a-f]{64}$/;

/** Bytes of a length-delimited protobuf field (one-byte tag) holding `n` bytes. */
const field = (n: number) => 1 + varintSize(n) + n;
const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
const utf8Length = (s: string) => text.encode(s).length;

/**
 * The size of `temporal.api.common.v1.Payload.encode(payload)`, computed:
 * `metadata` (map<string, bytes>, field 1) and `data` (bytes, field 2); the
 * SDK's payloads carry nothing else. test/codec/claim-check.test.ts checks it
 * against the encoder.
 */
export function encodedSize(payload: Payload): number {
  let size = payload.data && payload.data.length > 0 ? field(payload.data.length) : 0;
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    size += field(field(utf8Length(key)) + field(value?.length ?? 0));
  }
  return size;
}

/** A payload reference that is not a key: refused before any store is asked. */
export class ClaimCheckKeyError extends Error {
  override readonly name = 'ClaimCheckKeyError';
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Files under a folder (`$DATA_DIR/payloads` by default): the API and the worker must see the same folder. */
export function diskStore(dir: string): BlobStore {
  const path = (key: string) => join(dir, key.slice(0, 2), key);
  return {
    location: dir,
    async put(key, bytes) {
      const file = path(key);
      if (
        await stat(file).then(
          () => true,
          () => false,
        )
      )
        return; // content-addressed: already there
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    async get(key) {
      try {
        return await readFile(path(key));
      } catch (err) {
        throw new Error(`claim-checked payload ${key} is not in ${dir}: ${(err as Error).message}`);
      }
    },
  };
}

export interface S3StoreOptions {
  /** `s3://bucket/prefix` */
  url: string;
  /** `http(s)://host:port` of an S3-compatible service; AWS S3 when unset. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** An S3-compatible bucket (AWS S3, MinIO, …), for API and workers on different machines. */
export function s3Store(opts: S3StoreOptions): BlobStore {
  const url = new URL(opts.url);
  const bucket = url.hostname;
  const prefix = url.pathname.replace(/^\/+|\/+$/g, '');
  const endpoint = new URL(opts.endpoint ?? `https://s3.${opts.region ?? 'us-east-1'}.amazonaws.com`);
  const client = new S3Client({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    useSSL: endpoint.protocol === 'https:',
    region: opts.region ?? 'us-east-1',
    accessKey: opts.accessKeyId ?? '',
    secretKey: opts.secretAccessKey ?? '',
    pathStyle: opts.endpoint !== undefined,
  });
  const objectName = (key: string) => (prefix ? `${prefix}/${key}` : key);
  return {
    location: opts.url,
    async put(key, bytes) {
      await client.putObject(bucket, objectName(key), Buffer.from(bytes), bytes.length);
    },
    async get(key) {
      try {
        const stream = await client.getObject(bucket, objectName(key));
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } catch (err) {
        throw new Error(`claim-checked payload ${key} is not in ${opts.url}: ${(err as Error).message}`);
      }
    },
  };
}
