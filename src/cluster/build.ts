/**
 * Builds the cluster's Go binaries (CLUSTER_BINARIES) into `.temporal/bin/`
 * with `go install` from the Go module proxy, each stamped with its version
 * (`<name>.version`) so a later start reuses it and a version change rebuilds
 * it. The server module asks for a newer Go than may be installed;
 * `GOTOOLCHAIN=auto` fetches that toolchain through the same proxy. A cold
 * build downloads ~1.7 GB of modules and compiles for several minutes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger';
import { PROJECT_ROOT } from '../temporal/binaries';
import type { ClusterBinary } from './versions';
import { CLUSTER_BINARIES } from './versions';
import { processEnvironment } from '../config';

export const CLUSTER_BIN_DIR = join(PROJECT_ROOT, '.temporal', 'bin');

export type ClusterBinaries = Record<ClusterBinary, string>;

function builtVersion(name: ClusterBinary): string | undefined {
  const stamp = join(CLUSTER_BIN_DIR, `${name}.version`);
  return existsSync(stamp) && existsSync(join(CLUSTER_BIN_DIR, name)) ? readFileSync(stamp, 'utf8').trim() : undefined;
}

function goInstall(target: string, gobin: string, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', target], {
      cwd: gobin, // outside any module: `go install pkg@version` needs no go.mod
      env: {
        ...processEnvironment(),
        GOBIN: gobin,
        GOTOOLCHAIN: processEnvironment().GOTOOLCHAIN && processEnvironment().GOTOOLCHAIN !== 'local' ? processEnvironment().GOTOOLCHAIN : 'auto',
        GOFLAGS: '-buildvcs=false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`could not run go (is Go installed?): ${err.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${target} failed (exit ${code}):\n${tail}`))));
    logger.info('building from the Go module proxy', { target });
  });
}

/** The cluster's binaries, building whichever is missing or of another version. */
export async function ensureClusterBinaries(logger: Logger): Promise<ClusterBinaries> {
  mkdirSync(CLUSTER_BIN_DIR, { recursive: true });
  const paths = {} as ClusterBinaries;
  for (const [name, { pkg, version }] of Object.entries(CLUSTER_BINARIES) as [ClusterBinary, (typeof CLUSTER_BINARIES)[ClusterBinary]][]) {
    paths[name] = join(CLUSTER_BIN_DIR, name);
    if (builtVersion(name) === version) continue;
    const started = Date.now();
    const gobin = mkdtempSync(join(CLUSTER_BIN_DIR, `.build-${name}-`));
    try {
      await goInstall(`${pkg}@${version}`, gobin, logger);
      // `go install` names the binary after the package's folder (`server`, `sql`).
      renameSync(join(gobin, pkg.split('/').at(-1)!), paths[name]);
      writeFileSync(join(CLUSTER_BIN_DIR, `${name}.version`), `${version}\n`);
    } finally {
      rmSync(gobin, { recursive: true, force: true });
    }
    logger.info('built', { binary: name, version, seconds: Math.round((Date.now() - started) / 1000) });
  }
  return paths;
}
