/**
 * Finds the Temporal binaries: env override, then the project-local install
 * (`.temporal/bin`, by `scripts/install-temporal.mjs`), then PATH. `undefined`
 * means none was found; callers then let the Temporal SDK download one.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { processEnvironment } from '../config';

export const BINARIES = {
  cli: { file: 'temporal', envVar: 'TEMPORAL_CLI_PATH' },
  testServer: { file: 'temporal-test-server', envVar: 'TEMPORAL_TEST_SERVER_PATH' },
} as const;
export type BinaryKind = keyof typeof BINARIES;

export interface LocatedBinary {
  path: string;
  source: 'env' | 'project' | 'path';
}

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locateBinary(
  kind: BinaryKind,
  env: Record<string, string | undefined> = processEnvironment(),
  projectRoot: string = PROJECT_ROOT,
): LocatedBinary | undefined {
  const { file, envVar } = BINARIES[kind];
  const override = env[envVar];
  if (override) {
    if (!isExecutable(override)) throw new Error(`${envVar}=${override} is not an executable file`);
    return { path: override, source: 'env' };
  }
  const local = join(projectRoot, '.temporal', 'bin', file);
  if (isExecutable(local)) return { path: local, source: 'project' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, file))) return { path: join(dir, file), source: 'path' };
  }
  return undefined;
}

/** The `executable` option for `@temporalio/testing`: a found binary, or the SDK's download. */
export function sdkExecutable(kind: BinaryKind, env: Record<string, string | undefined> = processEnvironment()) {
  const found = locateBinary(kind, env);
  return found ? ({ type: 'existing-path', path: found.path } as const) : ({ type: 'cached-download' } as const);
}
