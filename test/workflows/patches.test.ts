/**
 * The patch registry (workflows/patches.ts) is the whole list: every
 * `patched(` in workflows/ asks an id from it, every id is asked somewhere,
 * and every history folder is the "before" of exactly one patch.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/sizes';
import { PATCHES } from '../../workflows/patches';

const ROOT = resolve(__dirname, '..', '..');
const HISTORIES = join(ROOT, 'test', 'fixtures', 'histories');
const patches = Object.values(PATCHES);

const workflowSources = sourceFiles(join(ROOT, 'workflows'), { declarations: true }).filter((f) => !f.endsWith('patches.ts'));
/** A module's code without its comments (which may name a patch). */
const code = (f: string) =>
  readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

describe('the patch registry', () => {
  it('has each id once', () => {
    expect(new Set(patches.map((p) => p.id)).size).toBe(patches.length);
  });

  it('is where every patch id in workflows/ comes from: no id written as a literal elsewhere', () => {
    const literals = workflowSources.flatMap((f) => [...code(f).matchAll(/['"`](braid-[a-z-]+-v\d+)['"`]/g)].map((m) => `${relative(ROOT, f)}: ${m[1]}`));
    expect(literals).toEqual([]);
  });

  it('names every patch the interpreter asks, and each is asked', () => {
    const asked = new Set<string>();
    for (const f of workflowSources) {
      const text = code(f);
      for (const m of text.matchAll(/patched\(([A-Z_]+)\)/g)) {
        const def = new RegExp(`export const ${m[1]} = PATCHES\\.(\\w+)\\.id;`).exec(workflowSources.map((s) => readFileSync(s, 'utf8')).join('\n'));
        expect(def, `${relative(ROOT, f)}: patched(${m[1]}) takes its id from the registry`).not.toBeNull();
        asked.add(def![1]!);
      }
      expect([...text.matchAll(/patched\(/g)].length, `${relative(ROOT, f)}: every patched() names a constant`).toBe(
        [...text.matchAll(/patched\([A-Z_]+\)/g)].length,
      );
    }
    expect([...asked].sort()).toEqual(Object.keys(PATCHES).sort());
  });

  it('names a history folder that exists for each patch that changed recorded runs, and every folder belongs to one patch', () => {
    const folders = patches.flatMap((p) => ('folder' in p.before ? [p.before.folder] : []));
    for (const folder of folders)
      expect(
        readdirSync(join(HISTORIES, folder)).some((f) => f.endsWith('.json')),
        folder,
      ).toBe(true);
    const onDisk = readdirSync(HISTORIES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^v\d+$/.test(e.name))
      .map((e) => e.name);
    expect(folders.sort()).toEqual(onDisk.sort());
    expect(existsSync(join(HISTORIES, 'children'))).toBe(true);
  });
});
