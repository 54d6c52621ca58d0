import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs, spliceGenerated } from '../../src/docs/generated';

const ROOT = resolve(__dirname, '..', '..');

describe('documentation generated from code', () => {
  for (const doc of generatedDocs()) {
    it(`${doc.file} (${doc.marker}) is current: run npm run docs`, () => {
      const text = readFileSync(resolve(ROOT, doc.file), 'utf8');
      expect(spliceGenerated(text, doc)).toBe(text);
    });
  }

  it('refuses a file without the markers instead of writing nowhere', () => {
    expect(() => spliceGenerated('# nothing here\n', { file: 'X.md', marker: 'patches', content: 'x' })).toThrow(/X\.md: no <!-- generated:patches -->/);
  });
});
