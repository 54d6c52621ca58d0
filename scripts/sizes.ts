/**
 * The house's size limits (issue 35): no file over 350 lines and no function
 * over 100 lines in `src/`, `workflows/` and `activities/`. Measured with the
 * TypeScript parser: a function is any function declaration, method,
 * accessor, constructor, function expression or arrow function, from its
 * first line to its last. test/house/sizes.test.ts holds the code to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const MAX_FILE_LINES = 350;
export const MAX_FUNCTION_LINES = 100;
export const MEASURED_FOLDERS = ['src', 'workflows', 'activities'] as const;

export interface Oversize {
  file: string;
  /** The function's name (or `<arrow>` and its line), absent for the whole file. */
  fn?: string;
  lines: number;
}

/** Every TypeScript source under `dir` (node_modules aside); declaration files only when asked. */
export function sourceFiles(dir: string, opts: { declarations?: boolean } = {}): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path, opts);
    return /\.(ts|tsx)$/.test(e.name) && (opts.declarations || !e.name.endsWith('.d.ts')) ? [path] : [];
  });
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const named = (node as { name?: ts.Node }).name;
  if (named) return `${named.getText(sf)} (line ${line})`;
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)))
    return `${parent.name.getText(sf)} (line ${line})`;
  return `<function> (line ${line})`;
}

/** What is over the limits in one file's text. */
export function oversizeIn(file: string, text: string): Oversize[] {
  const found: Oversize[] = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES) found.push({ file, lines });
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > MAX_FUNCTION_LINES) found.push({ file, fn: nameOf(node, sf), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Everything over the limits under `root`'s measured folders. */
export function oversize(root: string): Oversize[] {
  return MEASURED_FOLDERS.flatMap((folder) => sourceFiles(join(root, folder))).flatMap((path) => oversizeIn(relative(root, path), readFileSync(path, 'utf8')));
}

// `npx tsx scripts/sizes.ts`: what is over the limits now.
if (require.main === module) {
  for (const o of oversize(join(__dirname, '..'))) process.stdout.write(`${o.lines}\t${o.file}${o.fn ? `\t${o.fn}` : ''}\n`);
}
