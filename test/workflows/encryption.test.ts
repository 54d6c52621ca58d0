/**
 * Payload encryption: with BRAID_ENCRYPTION_KEY, Temporal's history holds
 * ciphertext only (inputs, outputs, failure messages), the codec endpoint
 * decrypts for the Web UI, and a rotated key still reads old payloads.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createApp } from '../../src/api/app';
import { AesGcmCodec, ENCRYPTED_ENCODING, parseEncryptionKeys } from '../../src/codec/aes-gcm-codec';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter';
import { silentLogger } from '../../src/logger';
import { workflowBundleOptions } from '../../src/temporal/worker';
import { graphWorkflow } from '../../workflows';
import { graph } from '../helpers/graphs';
import { createTimeSkippingEnv, uniqueId } from '../helpers/temporal';

const key = randomBytes(32).toString('base64');
const MARKER = 'plaintext-marker-7f3a';

let env: TestWorkflowEnvironment;
let code: string;
beforeAll(async () => {
  [env, { code }] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({
      ...workflowBundleOptions(),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
    }),
  ]);
}, 120_000);
afterAll(() => env?.teardown());

describe('payload encryption', () => {
  it('keeps inputs, outputs and failure messages out of history as plaintext', async () => {
    const dataConverter = createDataConverter(key, 'k1');
    const taskQueue = uniqueId('enc');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { code },
      activities: createActivities(),
      dataConverter,
    });
    const client = new Client({ connection: env.connection, dataConverter });
    const def = graph()
      .trigger()
      .set('echo', '{% $input.secret %}')
      .set('boom', `{% $error("${MARKER}-failure") %}`)
      .chain('start', 'echo')
      .edge('start', 'boom')
      .with({ onError: 'continue' })
      .build();
    const workflowId = uniqueId('enc');
    const outcome = await worker.runUntil(
      client.workflow.execute(graphWorkflow, { taskQueue, workflowId, args: [{ definition: def, input: { secret: MARKER } }] }).then(
        () => 'succeeded',
        (err: Error) => (err.cause as Error | undefined)?.message ?? err.message,
      ),
    );
    expect(outcome).toContain(`${MARKER}-failure`); // decrypted through the codec

    const raw = await env.client.workflow.getHandle(workflowId).fetchHistory(); // a client without the codec
    const text = JSON.stringify(raw, (_k, v) => (v instanceof Uint8Array || (v && v.type === 'Buffer') ? Buffer.from(v.data ?? v).toString('latin1') : v));
    expect(text).not.toContain(MARKER);
    expect(text).toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
  });

  it('decrypts with a rotated-out key and refuses an unknown one', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const old = new AesGcmCodec(parseEncryptionKeys(oldKey, 'old'));
    const [encrypted] = await old.encode([{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"hi"') }]);
    const rotated = new AesGcmCodec(parseEncryptionKeys(key, 'new', `old:${oldKey}`));
    const [plain] = await rotated.decode([encrypted!]);
    expect(Buffer.from(plain!.data!).toString()).toBe('"hi"');
    await expect(new AesGcmCodec(parseEncryptionKeys(key, 'new')).decode([encrypted!])).rejects.toThrow(/no key "old"/);
    expect(() => parseEncryptionKeys('c2hvcnQ=', 'x')).toThrow(/32 bytes/);
  });

  it('serves the codec protocol behind the API token, with CORS for the Web UI', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys(key, 'k1'));
    const app = createApp({
      client: {} as Client,
      config: {
        namespace: 'default',
        taskQueue: 'braid',
        temporalUiUrl: 'http://localhost:8233',
        apiToken: 'tok',
        maxBodyBytes: 1 << 20,
        rateLimitPerMinute: 0,
      },
      logger: silentLogger,
      codec,
      readiness: async () => ({ ready: true, checks: {} }),
    });
    const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(`"${MARKER}"`).toString('base64') };
    const post = (path: string, body: unknown, auth = 'Bearer tok') =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth, origin: 'http://localhost:8233' },
        body: JSON.stringify(body),
      });

    expect((await post('/codec/encode', { payloads: [payload] }, 'Bearer nope')).status).toBe(401);
    const enc = await post('/codec/encode', { payloads: [payload] });
    expect(enc.status).toBe(200);
    expect(enc.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const encoded = (await enc.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain(MARKER);
    const dec = (await (await post('/codec/decode', encoded)).json()) as { payloads: { data: string }[] };
    expect(Buffer.from(dec.payloads[0]!.data, 'base64').toString()).toBe(`"${MARKER}"`);

    const preflight = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect((await post('/codec/decode', { nope: 1 })).status).toBe(422);
  });
});
