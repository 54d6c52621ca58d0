import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { payloadConverter } from '../../src/codec/payload-converter';

const values: unknown[] = [
  null,
  0,
  -1.5e300,
  true,
  'plain',
  'é ü 中文 😀',
  'lone \ud83d high, lone \ude00 low',
  '\ufeffstarts with a BOM',
  { nested: [{ a: 1 }, 'two', null], 'k\u0000': 'nul' },
  'x'.repeat(300_000),
  new Uint8Array([0, 255, 128]),
];

describe('payload converter', () => {
  it('writes the same bytes as the SDK default for every kind of value, so histories and other clients read them alike', () => {
    for (const value of values) {
      const ours = payloadConverter.toPayload(value);
      const theirs = defaultPayloadConverter.toPayload(value);
      expect(ours).toEqual(theirs);
      expect(defaultPayloadConverter.fromPayload(ours!)).toEqual(value);
      expect(payloadConverter.fromPayload(theirs!)).toEqual(value);
    }
    expect(payloadConverter.toPayload(undefined)).toEqual(defaultPayloadConverter.toPayload(undefined));
  });

  it('refuses what the SDK default refuses: a payload with no data, a value JSON cannot write', () => {
    const noData = { metadata: { encoding: new TextEncoder().encode('json/plain') } };
    expect(() => payloadConverter.fromPayload(noData)).toThrow(/no data/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => payloadConverter.toPayload(cyclic)).toThrow();
    expect(() => defaultPayloadConverter.toPayload(cyclic)).toThrow();
    const bom = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new Uint8Array([0xef, 0xbb, 0xbf, 0x31]) };
    expect(() => payloadConverter.fromPayload(bom)).toThrow(SyntaxError);
    expect(() => defaultPayloadConverter.fromPayload(bom)).toThrow(SyntaxError);
  });
});
