/**
 * `npm run bundle-size`: the pages' assets as the API serves them (built by
 * src/ui/assets.ts), each file's size minified and gzipped (the API gzips
 * assets for clients that accept it).
 */
import { gzipSync } from 'node:zlib';
import { createAssets, ENTRY_POINTS } from '../src/ui/assets';

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

async function main(): Promise<void> {
  const assets = createAssets();
  const chunks = (await assets.names()).filter((n) => n.startsWith('chunk-')).sort();
  const files = [...ENTRY_POINTS.map((e) => `${e.replace(/\.tsx$/, '')}.js`), ...chunks, 'editor-page.css', 'style.css'];
  process.stdout.write(`${'file'.padEnd(20)} ${'minified'.padStart(10)} ${'gzipped'.padStart(10)}\n`);
  for (const file of files) {
    const asset = await assets.get(file);
    if (!asset) throw new Error(`no asset ${file}`);
    process.stdout.write(`${file.padEnd(20)} ${kb(Buffer.byteLength(asset.body)).padStart(10)} ${kb(gzipSync(asset.body).length).padStart(10)}\n`);
  }
}

void main();
