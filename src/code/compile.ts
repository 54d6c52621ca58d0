/**
 * A code node's source as the sandbox runs it: JavaScript as written, or
 * TypeScript with its types stripped by esbuild. Both are checked by
 * parsing them as the body of an async function, so a syntax error is
 * refused when the workflow is validated, with its line and column in the
 * code as written. The sandbox builds the function itself (the
 * AsyncFunction constructor), so a body cannot close the function early and
 * run code outside it.
 */
import { transformSync } from 'esbuild';
import type { CodeLanguage } from './limits';
import type { NodeCatalog, SourceProblem } from '../graph/node-type';

const HEAD = 'async function __braid($input, $nodes, $run, console) {\n';
const CACHE_SIZE = 500;
const cache = new Map<string, Compiled>();

export type Compiled = { ok: true; body: string } | { ok: false; message: string; line: number; column: number };

/** The function body to run, or the first syntax error (line and column 1-based, in the code as written). */
export function compileCode(code: string, language: CodeLanguage): Compiled {
  const key = `${language}\0${code}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const compiled = compile(code, language);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

function compile(code: string, language: CodeLanguage): Compiled {
  try {
    const out = transformSync(`${HEAD}${code}\n}`, { loader: language === 'typescript' ? 'ts' : 'js', logLevel: 'silent' }).code;
    if (language === 'javascript') return { ok: true, body: code };
    const open = out.indexOf('{\n');
    const close = out.lastIndexOf('}');
    return { ok: true, body: open >= 0 && close > open ? out.slice(open + 2, close) : out };
  } catch (err) {
    const first = (err as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    if (!first) return { ok: false, message: String((err as Error).message), line: 1, column: 1 };
    const line = Math.max(1, (first.location?.line ?? 2) - 1);
    // Found at the wrapper's closing brace: the code ended too soon; say so at its end.
    const lines = code.split('\n');
    if (line > lines.length) return { ok: false, message: `the code ends too soon (${first.text})`, line: lines.length, column: lines.at(-1)!.length + 1 };
    return { ok: false, message: first.text, line, column: (first.location?.column ?? 0) + 1 };
  }
}

/** The API's check of a code node's data (its spec's `sourceProblems`). */
export function codeSourceProblems(data: Readonly<Record<string, unknown>>): SourceProblem[] {
  if (typeof data.code !== 'string') return [];
  const language = data.language === 'typescript' ? 'typescript' : 'javascript';
  const compiled = compileCode(data.code, language);
  if (compiled.ok) return [];
  return [
    {
      path: ['code'],
      message: `syntax error at line ${compiled.line}, column ${compiled.column}: ${compiled.message}`,
      line: compiled.line,
      column: compiled.column,
    },
  ];
}

/** The catalog with code nodes' syntax checked (the API's validation: it can run esbuild, the workflow cannot). */
export function withSourceChecks(types: NodeCatalog): NodeCatalog {
  const code = types.get('code');
  if (!code || code.sourceProblems) return types;
  const checked = new Map(types);
  checked.set('code', { ...code, sourceProblems: codeSourceProblems });
  return checked;
}
