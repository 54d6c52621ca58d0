/**
 * Every relative link in the README, CONTRIBUTING and docs/ leads somewhere:
 * the file exists and, with a `#fragment`, the page has that heading (as
 * GitHub makes its anchor).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

/** The page's text outside fenced code blocks. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function links(page: string): { target: string; line: string }[] {
  return [...prose(readFileSync(join(ROOT, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => ({ target: m[1]!, line: m[0] }))
    .filter((l) => !/^(https?:|mailto:)/.test(l.target));
}

describe('documentation links', () => {
  it('has the pages the README promises, by those names', () => {
    for (const page of ['docs/configuration.md', 'docs/node-types.md']) expect(existsSync(join(ROOT, page)), page).toBe(true);
  });

  it('keeps the README short: at most 250 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });

  for (const page of pages) {
    it(`${page}: every relative link resolves`, () => {
      const broken: string[] = [];
      for (const { target, line } of links(page)) {
        const [path, fragment] = target.split('#') as [string, string | undefined];
        const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
        if (!existsSync(file)) broken.push(`${line}: no ${relative(ROOT, file)}`);
        else if (fragment !== undefined && file.endsWith('.md') && !anchors(file).has(fragment))
          broken.push(`${line}: no heading #${fragment} in ${relative(ROOT, file)}`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('finds a broken link and a missing heading (the check can fail)', () => {
    expect(anchors(join(ROOT, 'docs', 'operations.md')).has('server-tuning')).toBe(true);
    expect(anchors(join(ROOT, 'docs', 'operations.md')).has('no-such-heading')).toBe(false);
    expect(anchorOf('The default stack (`npm run bench -- --stack`)')).toBe('the-default-stack-npm-run-bench------stack');
  });
});
