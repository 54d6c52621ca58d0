/**
 * The pages' scripts and styles, built from `src/ui/client/` by esbuild the
 * first time one is asked for and then served from memory. Everything comes
 * from the package: no CDN, no separate front-end server.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { build } from 'esbuild';

const CLIENT_DIR = join(__dirname, 'client');

/** Browser entry points: each page's script and the layout worker (`.ts`, or `.tsx` for the React editor). */
export const ENTRY_POINTS = ['run-page', 'runs-page', 'workflows-page', 'credentials-page', 'team-page', 'layout-worker', 'editor-page.tsx'] as const;

const entryFile = (name: string) => join(CLIENT_DIR, name.endsWith('.tsx') ? name : `${name}.ts`);

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

export function createAssets() {
  let built: Promise<Map<string, Asset>> | undefined;

  async function buildAll(): Promise<Map<string, Asset>> {
    const result = await build({
      entryPoints: ENTRY_POINTS.map(entryFile),
      bundle: true,
      format: 'esm',
      // What a page loads only when needed (the code editor) is a chunk of its own, served beside the pages' scripts.
      splitting: true,
      chunkNames: 'chunk-[hash]',
      platform: 'browser',
      target: ['chrome120', 'firefox120', 'safari17'],
      minify: true,
      write: false,
      outdir: '/assets',
      logLevel: 'silent',
      legalComments: 'none',
      jsx: 'automatic',
      // React's production build (no development checks, a third of the size).
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const assets = new Map<string, Asset>();
    for (const file of result.outputFiles) {
      // A page that imports a stylesheet (the editor: React Flow's) gets `<page>.css` beside its script.
      assets.set(basename(file.path), { body: file.text, type: TYPES[extname(file.path)] ?? 'application/octet-stream', etag: `"${file.hash}"` });
    }
    const css = await readFile(join(CLIENT_DIR, 'style.css'), 'utf8');
    assets.set('style.css', { body: css, type: 'text/css; charset=utf-8', etag: `"${createHash('sha1').update(css).digest('base64url')}"` });
    return assets;
  }

  const all = () =>
    (built ??= buildAll().catch((err: unknown) => {
      built = undefined; // a failed build is retried on the next request
      throw err;
    }));
  return {
    /** An asset by file name (`run-page.js`, `style.css`, a shared `chunk-<hash>.js`), or undefined. */
    async get(name: string): Promise<Asset | undefined> {
      return (await all()).get(name);
    },
    /** Every asset's file name. */
    async names(): Promise<string[]> {
      return [...(await all()).keys()];
    },
  };
}

export type Assets = ReturnType<typeof createAssets>;
