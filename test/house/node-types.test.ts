/**
 * Node types as the issue asks (35, item 1): each built-in type is one pure
 * spec (src/graph/nodes/) and one executor (workflows/nodes/), the two lists
 * name the same types, no code outside a type's own modules tests its name,
 * and nothing the API, CLI, pages or custom node-type module load reaches
 * workflow code (the dependency rule in .dependency-cruiser.cjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/sizes';
import { BUILT_IN_SPECS } from '../../src/graph/nodes';
import { BUILT_IN_NODE_TYPES } from '../../workflows/nodes';

const ROOT = resolve(__dirname, '..', '..');
const NAMES = BUILT_IN_SPECS.map((s) => s.type);

/** Where code compares a node's type with a built-in type's name: `x.type === 'http'`, `case 'switch':`. */
export function typeNameTests(text: string, names: readonly string[]): string[] {
  const alternatives = names.join('|');
  const compare = new RegExp(
    `\\w*\\??\\.type\\s*[!=]==?\\s*['"](${alternatives})['"]|['"](${alternatives})['"]\\s*[!=]==?\\s*\\w+\\.type\\b|\\bcase\\s+['"](${alternatives})['"]\\s*:`,
    'g',
  );
  return [...text.matchAll(compare)].map((m) => m[0]);
}

/** The spec and executor modules of a type, by file name (`forEach` → for-each.ts). */
function ownModule(file: string): string | undefined {
  const rel = relative(ROOT, file);
  if (!rel.startsWith(join('src', 'graph', 'nodes')) && !rel.startsWith(join('workflows', 'nodes'))) return undefined;
  return basename(file, '.ts');
}
const moduleName = (type: string) => type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('node types', () => {
  it('has an executor for every spec and a spec for every executor, the executor carrying that very spec', () => {
    expect(BUILT_IN_NODE_TYPES.map((t) => t.type)).toEqual(NAMES);
    for (const spec of BUILT_IN_SPECS) {
      const executor = BUILT_IN_NODE_TYPES.find((t) => t.type === spec.type)!;
      expect(typeof executor.run, spec.type).toBe('function');
      for (const [key, value] of Object.entries(spec)) expect((executor as unknown as Record<string, unknown>)[key], `${spec.type}.${key}`).toBe(value);
    }
  });

  it('keeps every rule of a type in its own modules: no code elsewhere tests a built-in type name', () => {
    const found = ['src', 'workflows', 'activities']
      .flatMap((d) => sourceFiles(join(ROOT, d), { declarations: false }))
      .flatMap((f) => {
        const own = ownModule(f);
        const others = NAMES.filter((n) => moduleName(n) !== own);
        return typeNameTests(readFileSync(f, 'utf8'), others).map((t) => `${relative(ROOT, f)}: ${t}`);
      });
    expect(found).toEqual([]);
  });

  it('finds such a test when there is one (the check can fail)', () => {
    expect(typeNameTests("if (node.type === 'http') x();", NAMES)).toEqual(["node.type === 'http'"]);
    expect(typeNameTests("if (n.type !== 'forEach' || y) x();", NAMES)).toEqual(["n.type !== 'forEach'"]);
    expect(typeNameTests("switch (t) { case 'switch': }", NAMES)).toEqual(["case 'switch':"]);
    expect(typeNameTests("{ id: 'a', type: 'http' }", NAMES)).toEqual([]);
  });

  it('lets the dependency rules refuse workflow code reached from the API, even through a type-only import of another module', () => {
    const dir = mkdtempSync(join(ROOT, 'src', 'api', '.probe-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
      writeFileSync(join(dir, 'b.ts'), "import type { NodeType } from '../../../workflows/nodes/types';\nexport type B = NodeType;\n");
      const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
      const result = spawnSync(bin, [relative(ROOT, dir), 'workflows', '--config', '.dependency-cruiser.cjs'], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain('no-workflow-code-outside-the-worker');
      expect(result.stdout).toContain(`${relative(ROOT, dir)}/a.ts`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
