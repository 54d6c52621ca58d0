/**
 * No file over 350 lines and no function over 100 in src/, workflows/ and
 * activities/ (scripts/sizes.ts).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_LINES, MAX_FUNCTION_LINES, oversize, oversizeIn } from '../../scripts/sizes';

const ROOT = resolve(__dirname, '..', '..');

describe('the size limits', () => {
  it(`hold: no file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
    expect(oversize(ROOT)).toEqual([]);
  });

  it('measures a long function and a long file (the check can fail)', () => {
    const body = Array.from({ length: 101 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(oversizeIn('x.ts', `export function big() {\n${body}\n}\n`)).toEqual([{ file: 'x.ts', fn: 'big (line 1)', lines: 103 }]);
    expect(oversizeIn('y.ts', 'export const a = 1;\n'.repeat(351))).toEqual([{ file: 'y.ts', lines: 351 }]);
    expect(oversizeIn('z.ts', 'const f = () => {\n  return 1;\n};\n')).toEqual([]);
  });
});
