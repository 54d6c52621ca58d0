/**
 * `npm run docs`: writes the parts of the documentation generated from code
 * (the patch table in CONTRIBUTING.md from workflows/patches.ts, …).
 * test/docs/generated.test.ts fails when one is not current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generatedDocs, spliceGenerated } from '../src/docs/generated';

const ROOT = resolve(__dirname, '..');
for (const doc of generatedDocs()) {
  const path = resolve(ROOT, doc.file);
  const before = readFileSync(path, 'utf8');
  const after = spliceGenerated(before, doc);
  if (after !== before) {
    writeFileSync(path, after);
    process.stdout.write(`wrote ${doc.file} (${doc.marker})\n`);
  }
}
