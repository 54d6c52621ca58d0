import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/api/routes/hooks';
import { canonicalJson, contentVersion } from '../../src/api/saved-workflows';

describe('content versions', () => {
  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('equal content has one version whatever the key order; any change makes another', () => {
    const a = { name: 'n', nodes: [{ id: 't', type: 'trigger', position: { x: 1, y: 2 } }], edges: [] };
    const b = { edges: [], nodes: [{ position: { y: 2, x: 1 }, type: 'trigger', id: 't' }], name: 'n' };
    expect(contentVersion(a)).toBe(contentVersion(b));
    expect(contentVersion(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(contentVersion({ ...a, nodes: [{ ...a.nodes[0], position: { x: 1, y: 3 } }] })).not.toBe(contentVersion(a));
  });
});

describe('webhook signatures', () => {
  const body = Buffer.from('{"orderId":42}');
  const good = `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the exact body, in either hex case', () => {
    expect(signatureMatches('k', body, good)).toBe(true);
    expect(signatureMatches('k', body, good.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no scheme', good.slice(7)],
    ['other scheme', good.replace('sha256', 'sha1')],
    ['truncated', good.slice(0, -2)],
    ['another key', `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`],
  ])('refuses a %s signature', (_name, header) => {
    expect(signatureMatches('k', body, header)).toBe(false);
  });

  it('refuses a signature of another body', () => {
    expect(signatureMatches('k', Buffer.from('{"orderId":43}'), good)).toBe(false);
  });
});
