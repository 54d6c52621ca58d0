/**
 * The worker's bundle cache (src/temporal/workflow-bundle.ts): named by what
 * goes into it, so a changed source is a new name, and a bundle already built
 * for this source is used as it is.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { bundleKey, cachedWorkflowBundle } from '../../src/temporal/workflow-bundle';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'braid-bundle-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the workflow bundle cache', () => {
  it('names a bundle by every source file, the lockfile and the SDK, and by nothing else', () => {
    const root = temp();
    mkdirSync(join(root, 'src', 'graph'), { recursive: true });
    mkdirSync(join(root, 'workflows'));
    writeFileSync(join(root, 'src', 'graph', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'workflows', 'w.ts'), 'export async function w() {}');
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    const first = bundleKey(root);
    expect(bundleKey(root)).toBe(first);
    writeFileSync(join(root, 'src', 'notes.md'), 'not code');
    expect(bundleKey(root)).toBe(first);
    writeFileSync(join(root, 'src', 'graph', 'a.ts'), 'export const a = 2;');
    const changed = bundleKey(root);
    expect(changed).not.toBe(first);
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(bundleKey(root)).not.toBe(changed);
  });

  it('uses the bundle built for this source without building it again', async () => {
    const dir = temp();
    const codePath = join(dir, `workflow-bundle-${bundleKey()}.js`);
    writeFileSync(codePath, '// built before');
    const lines: string[] = [];
    const logger = createLogger('debug', {}, (line) => lines.push(line));
    expect(await cachedWorkflowBundle(dir, logger)).toEqual({ codePath });
    expect(lines.filter((l) => l.includes('workflow bundle built'))).toEqual([]);
  });
});
