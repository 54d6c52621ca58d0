/**
 * The claim check codec: small payloads pass through, large ones are stored
 * (once, by content hash) and come back equal; a damaged or missing object is
 * an error naming where it was looked for; after encryption only ciphertext
 * is stored. The disk store and the S3 store (against s3rver, a local
 * S3-compatible server) behave the same.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/codec/claim-check';
import { CLAIM_CHECK_ENCODING, ClaimCheckCodec, diskStore, encodedSize, s3Store } from '../../src/codec/claim-check';
import { temporal } from '@temporalio/proto';
import { chainCodecs, encryptionCodec } from '../../src/codec/data-converter';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'braid-claim-'));
  dirs.push(d);
  return d;
};
let s3: S3rver;
let s3Port: number;

beforeAll(async () => {
  s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: tempDir(), silent: true, configureBuckets: [{ name: 'braid-payloads', configs: [] }] });
  s3Port = (await s3.run()).port;
});
afterAll(async () => {
  await s3?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const big = { body: 'x'.repeat(300_000), n: 1 };
const encoding = (p: { metadata?: Record<string, Uint8Array> | null }) => new TextDecoder().decode(p.metadata?.encoding ?? new Uint8Array());

const stores: [string, () => BlobStore][] = [
  ['disk', () => diskStore(tempDir())],
  [
    's3',
    () =>
      s3Store({
        url: `s3://braid-payloads/run-${randomBytes(4).toString('hex')}`,
        endpoint: `http://127.0.0.1:${s3Port}`,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
      }),
  ],
];

describe.each(stores)('claim check on the %s store', (_kind, makeStore) => {
  it('passes small payloads through and stores large ones behind a small reference', async () => {
    const codec = new ClaimCheckCodec(makeStore(), 128 * 1024);
    const small = defaultPayloadConverter.toPayload({ hello: 'world' });
    const large = defaultPayloadConverter.toPayload(big);
    const [s, l] = await codec.encode([small, large]);
    expect(s).toBe(small);
    expect(encoding(l!)).toBe(CLAIM_CHECK_ENCODING);
    expect(l!.data!.length).toBeLessThan(200);
    const [s2, l2] = await codec.decode([s!, l!]);
    expect(defaultPayloadConverter.fromPayload(s2!)).toEqual({ hello: 'world' });
    expect(defaultPayloadConverter.fromPayload(l2!)).toEqual(big);
  });

  it('a missing object is an error that names the store', async () => {
    const store = makeStore();
    const codec = new ClaimCheckCodec(store, 1024);
    const [ref] = await codec.encode([defaultPayloadConverter.toPayload(big)]);
    const otherStore = makeStore();
    await expect(new ClaimCheckCodec(otherStore, 1024).decode([ref!])).rejects.toThrow(`is not in ${otherStore.location}`);
  });
});

describe('claim check on disk', () => {
  it("measures a payload's encoded size without encoding it, byte for byte what protobuf writes", () => {
    const sizes = [0, 1, 127, 128, 16_383, 16_384, 200_000, 2_100_000];
    const keys = ['encoding', 'encryption-key-id', '', 'clé-ü', 'k'.repeat(130)];
    for (const n of sizes) {
      for (let k = 0; k < keys.length; k++) {
        const metadata = Object.fromEntries(keys.slice(0, k + 1).map((key, i) => [key, randomBytes((n + i * 97) % 300)]));
        for (const payload of [{ metadata, data: randomBytes(n) }, { metadata }, { data: randomBytes(n) }]) {
          expect(encodedSize(payload)).toBe(temporal.api.common.v1.Payload.encode(payload).finish().length);
        }
      }
    }
    const json = defaultPayloadConverter.toPayload({ text: 'é'.repeat(1000) })!;
    expect(encodedSize(json)).toBe(temporal.api.common.v1.Payload.encode(json).finish().length);
  });
  it('stores a payload once, by content hash, and refuses a damaged object', async () => {
    const dir = tempDir();
    const codec = new ClaimCheckCodec(diskStore(dir), 1024);
    const payload = defaultPayloadConverter.toPayload(big);
    const [a] = await codec.encode([payload]);
    const [b] = await codec.encode([payload]);
    expect(a).toEqual(b);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files).toHaveLength(1);
    const file = join(files[0]!.parentPath, files[0]!.name);
    writeFileSync(file, Buffer.from('tampered'));
    await expect(codec.decode([a!])).rejects.toThrow(/does not match its hash/);
  });

  it('after encryption only ciphertext is stored', async () => {
    const dir = tempDir();
    const chain = chainCodecs([encryptionCodec(randomBytes(32).toString('base64'), 'k1'), new ClaimCheckCodec(diskStore(dir), 1024)]);
    const secret = { body: `secret-marker-${'y'.repeat(10_000)}` };
    const [ref] = await chain.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(encoding(ref!)).toBe(CLAIM_CHECK_ENCODING);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(readFileSync(join(files[0]!.parentPath, files[0]!.name)).toString('latin1')).not.toContain('secret-marker');
    const [back] = await chain.decode([ref!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(secret);
  });
});

describe('hostile payload references and ciphertexts', () => {
  const reference = (key: string) => ({
    metadata: { encoding: new TextEncoder().encode(CLAIM_CHECK_ENCODING) },
    data: new TextEncoder().encode(JSON.stringify({ key, size: 1 })),
  });

  it.each(['../../../etc/passwd', 'ab/../../x', 'A'.repeat(64), `${'a'.repeat(63)}/`, ''])(
    'refuses the reference %j before asking the store, naming no folder',
    async (key) => {
      const dir = tempDir();
      const asked: string[] = [];
      const store: BlobStore = { location: dir, put: async () => undefined, get: async (k) => (asked.push(k), new Uint8Array()) };
      const err = await new ClaimCheckCodec(store, 1024).decode([reference(key)]).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe('a claim-checked payload reference must be 64 lowercase hex characters');
      expect(err?.message).not.toContain(dir);
      expect(asked).toEqual([]);
    },
  );

  it('refuses a ciphertext whose GCM tag was cut short', async () => {
    const codec = encryptionCodec(randomBytes(32).toString('base64'), 'k1');
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ secret: 'value' })]);
    const cut = { ...sealed!, data: sealed!.data!.subarray(0, sealed!.data!.length - 12) };
    await expect(codec.decode([cut])).rejects.toThrow();
    const tiny = { ...sealed!, data: sealed!.data!.subarray(0, 8) };
    await expect(codec.decode([tiny])).rejects.toThrow('16-byte tag');
    expect(await codec.decode([sealed!])).toHaveLength(1);
  });
});
