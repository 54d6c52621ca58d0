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

function builtVersion(name: string): string | undefined {
  const stamp = join(CLUSTER_BIN_DIR, `${name}.version`);
  return existsSync(stamp) && existsSync(join(CLUSTER_BIN_DIR, name)) ? readFileSync(stamp, 'utf8').trim() : undefined;
}

function go(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = processEnvironment();
    const child = spawn('go', args, {
      cwd,
      env: {
        ...env,
        GOTOOLCHAIN: env.GOTOOLCHAIN && env.GOTOOLCHAIN !== 'local' ? env.GOTOOLCHAIN : 'auto',
        GOFLAGS: '-buildvcs=false',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`could not run go (is Go installed?): ${err.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${tail}`))));
  });
}

/**
 * Builds `pkg@version` into `out`: with `go install` outside any module, or,
 * for a module whose go.mod has replace directives (`go install` refuses
 * those), as a tool of a throwaway module of our own.
 */
async function goBuild(pkg: string, version: string, out: string, dir: string, logger: Logger, asTool: boolean): Promise<void> {
  logger.info('building from the Go module proxy', { target: `${pkg}@${version}` });
  if (!asTool) {
    await go(['install', `${pkg}@${version}`], dir, { GOBIN: dir });
    // `go install` names the binary after the package's folder (`server`, `sql`).
    renameSync(join(dir, pkg.split('/').at(-1)!), out);
    return;
  }
  writeFileSync(join(dir, 'go.mod'), 'module braid.local/tools\n\ngo 1.24\n');
  await go(['get', '-tool', `${pkg}@${version}`], dir);
  await go(['build', '-o', out, pkg], dir);
}

/**
 * `.temporal/bin/<name>`, built from `pkg@version` unless that version is
 * there already (the cluster's binaries, Jaeger for the tracing tests).
 */
export async function ensureGoBinary(name: string, pkg: string, version: string, logger: Logger, opts: { asTool?: boolean } = {}): Promise<string> {
  mkdirSync(CLUSTER_BIN_DIR, { recursive: true });
  const path = join(CLUSTER_BIN_DIR, name);
  if (builtVersion(name) === version) return path;
  const started = Date.now();
  const gobin = mkdtempSync(join(CLUSTER_BIN_DIR, `.build-${name}-`));
  try {
    await goBuild(pkg, version, path, gobin, logger, opts.asTool === true);
    writeFileSync(join(CLUSTER_BIN_DIR, `${name}.version`), `${version}\n`);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  logger.info('built', { binary: name, version, seconds: Math.round((Date.now() - started) / 1000) });
  return path;
}

/** The cluster's binaries, building whichever is missing or of another version. */
export async function ensureClusterBinaries(logger: Logger): Promise<ClusterBinaries> {
  const paths = {} as ClusterBinaries;
  for (const [name, { pkg, version }] of Object.entries(CLUSTER_BINARIES) as [ClusterBinary, (typeof CLUSTER_BINARIES)[ClusterBinary]][]) {
    paths[name] = await ensureGoBinary(name, pkg, version, logger);
  }
  return paths;
}
