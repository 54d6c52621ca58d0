import { describe, expect, it } from 'vitest';
import { codecMismatch } from '../../src/api/readiness';

describe('codecMismatch: does a worker read payloads as this API writes them?', () => {
  const plain = { claimCheck: false, encrypted: false };
  it.each([
    ['agree, both plain', plain, { claimCheck: false, encrypted: false }, undefined],
    ['agree, both claim check and encryption', { claimCheck: true, encrypted: true }, { claimCheck: true, encrypted: true }, undefined],
    ['a worker from before the memo says nothing', { claimCheck: true, encrypted: true }, undefined, undefined],
    [
      'the API claim-checks, the worker does not',
      { claimCheck: true, encrypted: false },
      { claimCheck: false, encrypted: false },
      /this API stores large payloads outside history/,
    ],
    ['the worker claim-checks, the API does not', plain, { claimCheck: true, encrypted: false }, /the worker stores large payloads/],
    ['the API encrypts, the worker cannot decrypt', { claimCheck: false, encrypted: true }, { claimCheck: false, encrypted: false }, /BRAID_ENCRYPTION_KEY/],
  ])('%s', (_name, api, memo, expected) => {
    const found = codecMismatch(api, memo);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(expected);
  });
});
