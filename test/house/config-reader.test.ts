/**
 * The configuration module (src/config.ts) is the only reader of the
 * environment in src/, workflows/ and activities/: everything else asks it
 * (loadConfig, processEnvironment for child processes, webhookKey, …).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/sizes';

const ROOT = resolve(__dirname, '..', '..');

/** Reads of `process.env` in code: comments and string literals (an esbuild `define` key) aside. */
export function environmentReads(text: string): number {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'[^'\n]*'|"[^"\n]*"/g, '""');
  return [...code.matchAll(/\bprocess\.env\b/g)].length;
}

describe('the configuration module', () => {
  it('is the only reader of process.env', () => {
    const readers = ['src', 'workflows', 'activities']
      .flatMap((d) => sourceFiles(join(ROOT, d), { declarations: true }))
      .filter((f) => relative(ROOT, f) !== join('src', 'config.ts') && environmentReads(readFileSync(f, 'utf8')) > 0)
      .map((f) => relative(ROOT, f));
    expect(readers).toEqual([]);
  });

  it('finds a read, and not a comment or a string (the check can fail)', () => {
    expect(environmentReads('const a = process.env.X;')).toBe(1);
    expect(environmentReads('const e = { ...process.env };')).toBe(1);
    expect(environmentReads("// process.env\ndefine({ 'process.env.NODE_ENV': '1' })")).toBe(0);
  });

  it("loads without the graph layer, so what imports it first cannot break the API's schemas (zod gets its OpenAPI methods only on schemas built after @hono/zod-openapi loads)", () => {
    // The bench loads the configuration (through src/temporal/binaries.ts) before anything of the API: it must not build the graph's schemas then.
    const script = "require('./src/temporal/binaries.ts'); require('./src/config.ts'); require('./src/api/schemas.ts'); console.log('ok')";
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr.split('\n').find((l) => l.includes('Error')) ?? '').toBe('');
    expect(child.stdout.trim()).toBe('ok');
  });

  it("builds the API after the worker's activities were loaded (as the bench does): no route calls .openapi() on a schema built before zod had it", () => {
    const script = "require('./activities/index.ts'); require('./src/api/app.ts'); console.log('ok')";
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr.split('\n').find((l) => l.includes('Error')) ?? '').toBe('');
    expect(child.stdout.trim()).toBe('ok');
  });
});
