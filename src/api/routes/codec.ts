/**
 * Temporal's remote codec protocol (`POST /codec/encode`, `POST /codec/decode`),
 * so the Web UI can show decrypted payloads to those who hold the API token.
 * Payload fields travel as base64, as the Web UI sends them.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../types';
import { parseJsonBody, zodFieldErrors } from '../validation';
import { ClaimCheckKeyError } from '../../codec/claim-check';
import { EncryptionKeyError } from '../../codec/aes-gcm-codec';
import { BraidError } from '../../runs/errors';

const wirePayloadSchema = z.object({
  metadata: z.record(z.string(), z.string()).optional(),
  data: z.string().optional(),
});
const bodySchema = z.object({ payloads: z.array(wirePayloadSchema).max(1000) });

type WirePayload = z.infer<typeof wirePayloadSchema>;

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

export function codecRoutes(codec: PayloadCodec) {
  const app = new Hono<AppEnv>();
  for (const action of ['encode', 'decode'] as const) {
    app.post(`/${action}`, async (c) => {
      const raw = parseJsonBody(await c.req.text());
      const parsed = bodySchema.safeParse(raw);
      if (!parsed.success) throw new BraidError('validation', 'expected { payloads: [...] }', { errors: zodFieldErrors(parsed.error) });
      let payloads: Payload[];
      try {
        payloads = await codec[action](parsed.data.payloads.map(fromWire));
      } catch (err) {
        // The store's own errors name where payloads live (DATA_DIR, a bucket): the caller learns only that it failed.
        const reason =
          err instanceof ClaimCheckKeyError || err instanceof EncryptionKeyError ? (err as Error).message : 'a payload could not be read or is not valid';
        throw new BraidError('badRequest', `cannot ${action}: ${reason}`);
      }
      return c.json({ payloads: payloads.map(toWire) });
    });
  }
  return app;
}
