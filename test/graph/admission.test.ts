/**
 * The admission book (src/graph/admission.ts): who runs, who waits and who
 * starts next for one key, as the admission workflow applies it; and the
 * key's evaluation from a run's input.
 */
import { describe, expect, it } from 'vitest';
import type { AdmissionPolicy } from '../../src/graph/admission';
import { AdmissionBook, admissionPolicies, evaluateKey, keyText, MAX_KEY_LENGTH } from '../../src/graph/admission';
import { validateDefinition } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const concurrency = (limit: number, onLimit: AdmissionPolicy['onLimit'] = 'queue'): AdmissionPolicy => ({ kind: 'concurrency', key: 'k', limit, onLimit });

describe('concurrency', () => {
  it('holds at most `limit`, queues the rest first in first out, and lets the next in on release', () => {
    const book = new AdmissionBook(concurrency(2));
    expect(book.admit('a', 0)).toMatchObject({ verdict: 'started', first: true });
    expect(book.admit('b', 0)).toMatchObject({ verdict: 'started' });
    expect(book.admit('c', 0)).toMatchObject({ verdict: 'queued', position: 1 });
    expect(book.admit('d', 0)).toMatchObject({ verdict: 'queued', position: 2 });
    expect(book.grant(1)).toEqual([]);
    expect(book.release('a')).toBe(true);
    expect(book.grant(2)).toEqual(['c']);
    expect(book.position('d')).toBe(1);
    expect(book.release('zzz')).toBe(false);
  });

  it('answers a run it knows with its standing, never a second slot', () => {
    const book = new AdmissionBook(concurrency(1));
    book.admit('a', 0);
    book.admit('b', 0);
    expect(book.admit('a', 1)).toEqual({ verdict: 'started', first: false, cancel: [] });
    expect(book.admit('b', 1)).toEqual({ verdict: 'queued', position: 1, first: false, cancel: [] });
    expect(book.state.running).toHaveLength(1);
    expect(book.state.queue).toHaveLength(1);
  });

  it('a queued run that leaves (canceled) frees its place; the queue keeps its order', () => {
    const book = new AdmissionBook(concurrency(1));
    for (const id of ['a', 'b', 'c', 'd']) book.admit(id, 0);
    book.release('c');
    book.release('a');
    expect(book.grant(1)).toEqual(['b']);
    expect(book.position('d')).toBe(1);
  });

  it('skip refuses with the run holding the key', () => {
    const book = new AdmissionBook(concurrency(1, 'skip'));
    book.admit('a', 0);
    expect(book.admit('b', 0)).toMatchObject({ verdict: 'refused', holder: 'a' });
    expect(book.queued).toBe(0);
  });

  it('cancelOldest asks the oldest running run to stop once, then the oldest waiting one', () => {
    const book = new AdmissionBook(concurrency(1, 'cancelOldest'));
    book.admit('a', 0);
    expect(book.admit('b', 1)).toMatchObject({ verdict: 'queued', cancel: ['a'] });
    // a is already stopping: the next newcomer replaces b, which leaves the queue.
    expect(book.admit('c', 2)).toMatchObject({ verdict: 'queued', cancel: ['b'] });
    expect(book.position('c')).toBe(1);
    book.release('a');
    expect(book.grant(3)).toEqual(['c']);
  });

  it('a larger limit lets waiting runs in; idle once nobody holds or waits', () => {
    const book = new AdmissionBook(concurrency(1));
    book.admit('a', 0);
    book.admit('b', 0);
    book.policy = concurrency(2);
    expect(book.grant(1)).toEqual(['b']);
    book.release('a');
    book.release('b');
    expect(book.idle(2)).toBe(true);
  });

  it('names the holders old enough to be checked', () => {
    const book = new AdmissionBook(concurrency(3));
    book.admit('a', 0);
    book.admit('b', 100);
    expect(book.heldSince(50)).toEqual(['a']);
  });
});

describe('rate limits (a sliding window)', () => {
  const rate = (limit: number, periodMs: number, onLimit: AdmissionPolicy['onLimit'] = 'queue'): AdmissionPolicy => ({
    kind: 'rate',
    key: 'k',
    limit,
    periodMs,
    onLimit,
  });

  it('never starts more than `limit` in any period', () => {
    const book = new AdmissionBook(rate(2, 1_000));
    const starts: number[] = [];
    let t = 0;
    for (let i = 0; i < 10; i++) {
      if (book.admit(`r${i}`, t).verdict === 'started') starts.push(t);
    }
    while (book.queued > 0) {
      t = book.wakeAt(t)!;
      for (const _ of book.grant(t)) starts.push(t);
    }
    expect(starts).toHaveLength(10);
    for (let i = 2; i < starts.length; i++) expect(starts[i]! - starts[i - 2]!).toBeGreaterThanOrEqual(1_000);
  });

  it('a run granted before answers started again; skip refuses; the window empties', () => {
    const book = new AdmissionBook(rate(1, 1_000, 'skip'));
    expect(book.admit('a', 0).verdict).toBe('started');
    expect(book.admit('a', 10)).toMatchObject({ verdict: 'started', first: false });
    expect(book.admit('b', 10).verdict).toBe('refused');
    expect(book.idle(500)).toBe(false);
    expect(book.wakeAt(500)).toBe(1_000);
    expect(book.idle(1_000)).toBe(true);
  });
});

describe('keys', () => {
  it('are read from the input, as text, bounded', async () => {
    const policy = concurrency(1);
    expect(await evaluateKey({ ...policy, key: '{% $input.customer %}' }, { customer: 'acme' })).toEqual({ ok: true, key: 'acme' });
    expect(await evaluateKey({ ...policy, key: '{% $input.n %}' }, { n: 7 })).toEqual({ ok: true, key: '7' });
    expect(await evaluateKey({ ...policy, key: 'everyone' }, {})).toEqual({ ok: true, key: 'everyone' });
    expect(await evaluateKey({ ...policy, key: '{% $input.customer %}' }, {})).toMatchObject({ ok: false, why: expect.stringContaining('nothing') });
    expect(await evaluateKey({ ...policy, key: '{% $input.o %}' }, { o: { a: 1 } })).toMatchObject({ ok: false });
    expect(keyText('x'.repeat(MAX_KEY_LENGTH + 1))).toMatchObject({ ok: false });
  });

  it('a catastrophic pattern in a key stays bounded (the expression sandbox)', async () => {
    const started = Date.now();
    const answer = await evaluateKey({ ...concurrency(1), key: "{% $match($input.s, /(a+)+$/) ? 'x' : 'y' %}" }, { s: `${'a'.repeat(40)}!` });
    expect(answer.ok === false || typeof answer.key === 'string').toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('settings', () => {
  it('rate first, then concurrency, with their defaults', () => {
    expect(admissionPolicies({ concurrency: { key: 'a', limit: 2 }, rateLimit: { key: 'b', limit: 5, period: '1m' } })).toEqual([
      { kind: 'rate', key: 'b', limit: 5, periodMs: 60_000, onLimit: 'queue' },
      { kind: 'concurrency', key: 'a', limit: 2, onLimit: 'queue' },
    ]);
    expect(admissionPolicies(undefined)).toEqual([]);
  });

  it('are validated: a key that does not compile, a limit below 1, an unknown field', () => {
    const base = { nodes: [{ id: 's', type: 'trigger' }], edges: [] };
    const result = validateDefinition(
      { ...base, settings: { concurrency: { key: '{% $input. %}', limit: 1 }, rateLimit: { key: 'a', limit: 0, period: '1s', extra: 1 } } },
      BUILT_IN_CATALOG,
    );
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['$.settings.rateLimit.limit', '$.settings.rateLimit']));
    const keyOnly = validateDefinition({ ...base, settings: { concurrency: { key: '{% $input. %}', limit: 1 } } }, BUILT_IN_CATALOG);
    expect(keyOnly.ok ? [] : keyOnly.issues.map((i) => i.path)).toEqual(['$.settings.concurrency.key']);
  });
});
