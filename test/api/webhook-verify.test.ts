/**
 * Webhook signatures, each scheme checked against its sender's own published
 * example where there is one (GitHub's and Slack's documentation), and
 * against the format its documentation specifies (Stripe, Braid).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { braidSignature, SeenSignatures, SIGNATURE_TOLERANCE_S, verifySignature } from '../../src/api/webhook-verify';

const headers = (h: Record<string, string>) => (name: string) => h[name];
const bytes = (s: string) => new TextEncoder().encode(s);

describe('github', () => {
  // docs.github.com, "Validating webhook deliveries": test values.
  const key = "It's a Secret to Everybody";
  const body = bytes('Hello, World!');
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("accepts GitHub's published example and names the delivery", () => {
    expect(
      verifySignature('github', key, body, headers({ 'x-hub-signature-256': signature, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }), 0),
    ).toEqual({
      ok: true,
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
  });

  it.each([
    ['another body', bytes('Hello, World?'), signature],
    ['the sha1 header form', body, signature.replace('sha256=', 'sha1=')],
    ['a truncated signature', body, signature.slice(0, -2)],
    ['no signature', body, ''],
  ])('refuses %s', (_name, raw, header) => {
    expect(verifySignature('github', key, raw, headers({ 'x-hub-signature-256': header }), 0).ok).toBe(false);
  });
});

describe('slack', () => {
  // api.slack.com, "Verifying requests from Slack": the worked example.
  const key = '8f742231b10e8888abcd99yyyzzz85a5';
  const timestamp = '1531420618';
  const body = bytes(
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  );
  const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const h = headers({ 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp });

  it("accepts Slack's published example within five minutes of its timestamp", () => {
    expect(verifySignature('slack', key, body, h, Number(timestamp) + 60)).toEqual({ ok: true });
  });

  it('refuses it once older than five minutes, and with another timestamp', () => {
    expect(verifySignature('slack', key, body, h, Number(timestamp) + SIGNATURE_TOLERANCE_S + 1)).toMatchObject({
      ok: false,
      why: expect.stringContaining('300 s'),
    });
    expect(verifySignature('slack', key, body, headers({ 'x-slack-signature': signature, 'x-slack-request-timestamp': '1531420619' }), 1531420619).ok).toBe(
      false,
    );
  });
});

describe('stripe', () => {
  const key = 'whsec_test_secret';
  const body = bytes('{"id":"evt_1","type":"payment_intent.succeeded"}');
  const t = 1_765_000_000;
  const v1 = createHmac('sha256', key).update(`${t}.`).update(body).digest('hex');

  it('accepts the documented form, with another v1 and a v0 beside it', () => {
    expect(verifySignature('stripe', key, body, headers({ 'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${v1},v0=${'1'.repeat(64)}` }), t + 10).ok).toBe(
      true,
    );
  });

  it('refuses a stale timestamp, a v0 alone, and another body', () => {
    expect(verifySignature('stripe', key, body, headers({ 'stripe-signature': `t=${t},v1=${v1}` }), t + SIGNATURE_TOLERANCE_S + 1).ok).toBe(false);
    expect(verifySignature('stripe', key, body, headers({ 'stripe-signature': `t=${t},v0=${v1}` }), t).ok).toBe(false);
    expect(verifySignature('stripe', key, bytes('{}'), headers({ 'stripe-signature': `t=${t},v1=${v1}` }), t).ok).toBe(false);
  });
});

describe('braid', () => {
  const key = 'k';
  const body = '{"orderId":42}';
  const now = 1_765_000_000;

  it('accepts t=<unix seconds>,v1=<hex HMAC of "<t>.<body>"> and returns the signature to refuse its second use', () => {
    const signature = braidSignature(key, body, now);
    const v1 = createHmac('sha256', key).update(`${now}.${body}`).digest('hex');
    expect(signature).toBe(`t=${now},v1=${v1}`);
    expect(verifySignature('braid', key, bytes(body), headers({ 'x-braid-signature': signature }), now + 299)).toEqual({ ok: true, replayKey: `${now}.${v1}` });
  });

  it.each([
    ['stale', braidSignature(key, body, now - SIGNATURE_TOLERANCE_S - 1)],
    ['from the future', braidSignature(key, body, now + SIGNATURE_TOLERANCE_S + 1)],
    ['the old body-only form', `sha256=${createHmac('sha256', key).update(body).digest('hex')}`],
    ['another key', braidSignature('other', body, now)],
    ['another body', braidSignature(key, '{"orderId":43}', now)],
    ['missing', ''],
  ])('refuses a signature %s', (_name, signature) => {
    expect(verifySignature('braid', key, bytes(body), headers({ 'x-braid-signature': signature }), now).ok).toBe(false);
  });

  it('remembers a signature for the window, in bounded memory', async () => {
    const seen = new SeenSignatures(3);
    expect(await seen.firstUse('a', now)).toBe(true);
    expect(await seen.firstUse('a', now + 1)).toBe(false);
    for (const k of ['b', 'c', 'd', 'e']) expect(await seen.firstUse(k, now)).toBe(true);
    // Past the bound the oldest went; a replay of it still has to beat the timestamp check.
    expect(await seen.firstUse('a', now)).toBe(true);
  });
});
