/**
 * The worker's workflow bundle, built once per source and kept on disk. A
 * worker bundles `workflows/` (and what it imports) with webpack before it
 * polls: seconds of CPU that a restarted worker would spend again on every
 * start, while the runs it should pick up wait. The bundle is named by a hash
 * of everything that goes into it (the TypeScript under `src/` and
 * `workflows/`, the lockfile, the SDK's version), so a changed source builds
 * a new one and two workers starting together at worst both build it (the
 * file is written whole, then renamed into place). It lives in
 * `$DATA_DIR/cache`; deleting it is always safe.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Logger } from '../logger';
import { PROJECT_ROOT } from './binaries';
import { workflowBundleOptions } from './worker';

/** Every `.ts` file under `dir`, sorted. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/** The hash that names a bundle: what goes into it, byte for byte. */
export function bundleKey(root: string = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string };
  hash.update(`sdk ${sdk.version}\n`);
  for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'workflows')), join(root, 'package-lock.json')]) {
    if (!existsSync(file)) continue;
    hash.update(`${relative(root, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 20);
}

/** The bundle's file in `dir`, built first when this source has none. */
export async function cachedWorkflowBundle(dir: string, logger: Logger): Promise<{ codePath: string }> {
  const codePath = join(dir, `workflow-bundle-${bundleKey()}.js`);
  if (existsSync(codePath)) return { codePath };
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  mkdirSync(dir, { recursive: true });
  const partial = `${codePath}.${process.pid}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, codePath);
  // Bundles of earlier sources are of no more use.
  for (const old of readdirSync(dir)) if (/^workflow-bundle-[0-9a-f]+\.js$/.test(old) && join(dir, old) !== codePath) rmSync(join(dir, old), { force: true });
  logger.info('workflow bundle built', { path: codePath, ms: Date.now() - started });
  return { codePath };
}
