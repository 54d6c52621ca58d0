/**
 * Documentation generated from the code it describes, each part between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in its file:
 * `npm run docs` writes them, test/docs/generated.test.ts checks them.
 */
import type { Patch } from '../../workflows/patches';
import { PATCHES } from '../../workflows/patches';

export interface GeneratedDoc {
  file: string;
  marker: string;
  content: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function patchTable(patches: readonly Patch[] = Object.values(PATCHES)): string {
  return [
    '| patch id | since | what it changed | histories from before it |',
    '|---|---|---|---|',
    ...patches.map((p) => `| \`${p.id}\` | ${cell(p.since)} | ${cell(p.changed)} | ${'folder' in p.before ? `\`test/fixtures/histories/${p.before.folder}/\`` : `none: ${cell(p.before.unchanged)}`} |`),
  ].join('\n');
}

export function generatedDocs(): GeneratedDoc[] {
  return [{ file: 'CONTRIBUTING.md', marker: 'patches', content: patchTable() }];
}

/** `text` with the part between `doc`'s markers replaced by its content; throws when the markers are missing. */
export function spliceGenerated(text: string, doc: GeneratedDoc): string {
  const open = `<!-- generated:${doc.marker} -->`;
  const close = `<!-- /generated:${doc.marker} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${doc.file}: no ${open} … ${close}`);
  return `${text.slice(0, a + open.length)}\n${doc.content}\n${text.slice(b)}`;
}
