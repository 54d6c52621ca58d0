import { describe, expect, it } from 'vitest';
import { MAX_WAIT_SECONDS, preferredWait } from '../../src/api/prefer';

describe('Prefer: wait', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['wait=10', 10],
    ['WAIT = 5', 5],
    ['return=representation, wait=3', 3],
    ['wait=7; foo=bar', 7],
    ['wait="4"', 4],
    ['wait=0', 0],
    ['wait=3600', MAX_WAIT_SECONDS],
    ['wait=-1', undefined],
    ['wait=soon', undefined],
    ['wait', undefined],
    ['respond-async', undefined],
  ])('%j → %j', (header, seconds) => {
    expect(preferredWait(header)).toBe(seconds);
  });
});
