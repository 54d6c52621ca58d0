/**
 * Webhook signatures as their senders make them. A trigger's `verify` picks
 * the scheme (default `braid`); its `secret` names env
 * `BRAID_WEBHOOK_SECRET_<NAME>`, the key.
 *
 * | scheme | header | signed text | fresh for |
 * |---|---|---|---|
 * | `braid` | `X-Braid-Signature: t=<unix s>,v1=<hex>` | `<t>.<raw body>` | 5 min, each signature once |
 * | `github` | `X-Hub-Signature-256: sha256=<hex>` | raw body | (no timestamp: `X-GitHub-Delivery` is the idempotency key) |
 * | `stripe` | `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]` | `<t>.<raw body>` | 5 min |
 * | `slack` | `X-Slack-Signature: v0=<hex>` + `X-Slack-Request-Timestamp` | `v0:<t>:<raw body>` | 5 min |
 *
 * All HMAC-SHA256, compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerifyScheme } from '../graph/schema';

/** How far a signed timestamp may be from now. */
export const SIGNATURE_TOLERANCE_S = 300;

/** The headers each scheme reads, lower-case: they are never passed to a run. */
export const SIGNATURE_HEADERS = ['x-braid-signature', 'x-hub-signature-256', 'stripe-signature', 'x-slack-signature', 'x-slack-request-timestamp'] as const;

export type Verdict =
  | { ok: true; /** The signature, to refuse a second use (braid). */ replayKey?: string; /** The sender's delivery id (github). */ deliveryId?: string }
  | { ok: false; why: string };

const hmacHex = (key: string, parts: (string | Uint8Array)[]) => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
};

function equalHex(hex: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== expected.length * 2) return false;
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

/** `t=1,v1=a,v1=b` → { t: ['1'], v1: ['a', 'b'] }. */
function parseList(header: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const k = part.slice(0, at).trim();
    (out[k] ??= []).push(part.slice(at + 1).trim());
  }
  return out;
}

function fresh(t: string | undefined, nowS: number): string | undefined {
  if (t === undefined || !/^\d{1,12}$/.test(t)) return 'no timestamp';
  return Math.abs(nowS - Number(t)) > SIGNATURE_TOLERANCE_S ? `timestamp is more than ${SIGNATURE_TOLERANCE_S} s from now` : undefined;
}

/**
 * Checks one delivery. `header(name)` reads a request header (lower-case
 * name); `nowS` is the current Unix time in seconds.
 */
export function verifySignature(
  scheme: WebhookVerifyScheme,
  key: string,
  raw: Uint8Array,
  header: (name: string) => string | undefined,
  nowS: number,
): Verdict {
  switch (scheme) {
    case 'braid': {
      const fields = parseList(header('x-braid-signature') ?? '');
      const t = fields.t?.[0];
      const stale = fresh(t, nowS);
      if (stale) return { ok: false, why: stale };
      const expected = hmacHex(key, [`${t}.`, raw]);
      const v1 = fields.v1?.[0];
      if (v1 === undefined || !equalHex(v1, expected)) return { ok: false, why: 'signature does not match' };
      return { ok: true, replayKey: `${t}.${v1.toLowerCase()}` };
    }
    case 'github': {
      const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header('x-hub-signature-256')?.trim() ?? '');
      if (!m || !equalHex(m[1]!, hmacHex(key, [raw]))) return { ok: false, why: 'signature does not match' };
      const delivery = header('x-github-delivery');
      return { ok: true, ...(delivery ? { deliveryId: delivery.slice(0, 255) } : {}) };
    }
    case 'stripe': {
      const fields = parseList(header('stripe-signature') ?? '');
      const t = fields.t?.[0];
      const stale = fresh(t, nowS);
      if (stale) return { ok: false, why: stale };
      const expected = hmacHex(key, [`${t}.`, raw]);
      if (!(fields.v1 ?? []).some((v) => equalHex(v, expected))) return { ok: false, why: 'signature does not match' };
      return { ok: true };
    }
    case 'slack': {
      const t = header('x-slack-request-timestamp')?.trim();
      const stale = fresh(t, nowS);
      if (stale) return { ok: false, why: stale };
      const m = /^v0=([0-9a-fA-F]{64})$/.exec(header('x-slack-signature')?.trim() ?? '');
      if (!m || !equalHex(m[1]!, hmacHex(key, [`v0:${t}:`, raw]))) return { ok: false, why: 'signature does not match' };
      return { ok: true };
    }
  }
}

/** Signs as Braid's scheme wants (for senders, the CLI and tests). */
export function braidSignature(key: string, raw: string | Uint8Array, nowS: number): string {
  return `t=${nowS},v1=${hmacHex(key, [`${nowS}.`, typeof raw === 'string' ? Buffer.from(raw) : raw]).toString('hex')}`;
}

/**
 * Signatures seen within the tolerance window, so a captured delivery cannot
 * be replayed. Bounded: entries older than the window are dropped, and past
 * `max` the oldest go (a replay then still has to beat the timestamp check).
 */
/** Where used signatures are remembered: Braid's database (src/store/used-signatures.ts), or one process's memory. */
export interface UsedSignatures {
  /** True the first time `key` is offered within the window. */
  firstUse(key: string, nowS: number): Promise<boolean>;
}

/** Used signatures in this process's memory (an app without a database; tests). */
export class SeenSignatures implements UsedSignatures {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  async firstUse(key: string, nowS: number): Promise<boolean> {
    for (const [k, at] of this.seen) {
      if (nowS - at <= SIGNATURE_TOLERANCE_S * 2 && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, nowS);
    return true;
  }
}
