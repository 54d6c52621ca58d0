/**
 * `npm run cluster` as a child process, for the cluster suite, the chaos
 * runner and the benchmarks: a fresh CLUSTER_DIR, free ports (Temporal's
 * under 32768), and the parts' pid files to kill them by, as an operator would.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { certPaths, clientTlsFiles } from '../../src/cluster/certs';
import type { ClusterPart } from '../../src/cluster/topology';
import type { TemporalTlsFiles } from '../../src/config';
import { TEMPORAL_UI_PATH } from '../../src/ui/temporal-ui';
import { freePortInRange } from '../../src/temporal/free-port';
import { STACK_TOKEN } from './stack-token';

const root = resolve(__dirname, '..', '..');

export interface ClusterInfo {
  dir: string;
  apis: [string, string];
  temporalAddress: string;
  /** What a Temporal client must present: the cluster's `braid` client certificate. */
  temporalTls: TemporalTlsFiles;
  /** The Web UI as people reach it: the first API's /temporal. */
  uiUrl: string;
}

export interface LaunchedCluster extends ClusterInfo {
  process: ChildProcess;
  /** The current pid of a part, from its pid file. */
  pid(part: ClusterPart): number | undefined;
  /** SIGKILL a part's process group; the launcher starts it again. */
  kill(part: ClusterPart): number | undefined;
  stop(): Promise<void>;
}

export async function launchCluster(env: Record<string, string> = {}, opts: { keepDir?: boolean; timeoutMs?: number } = {}): Promise<LaunchedCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'braid-cluster-'));
  const taken = new Set<number>();
  const port = await freePortInRange(20_000, 32_000, taken);
  taken.add(port + 1);
  const temporalPort = await freePortInRange(20_000, 32_767, taken);
  const uiPort = await freePortInRange(20_000, 32_767, taken);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cluster.ts')], {
    cwd: root,
    env: {
      ...process.env,
      CLUSTER_DIR: dir,
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      LOG_LEVEL: 'warn',
      RESTART_BACKOFF_MS: '500',
      RESTART_LIMIT: '20',
      API_TOKEN: STACK_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
    if (process.env.BRAID_CLUSTER_VERBOSE) process.stderr.write(c);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let up = false;
  while (child.exitCode === null && Date.now() < deadline) {
    if (output.includes('Braid cluster is up')) {
      up = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`npm run cluster did not come up:\n${output}`);
  }
  const pid = (part: ClusterPart) => {
    try {
      return Number(readFileSync(join(dir, 'run', `${part}.pid`), 'utf8').trim());
    } catch {
      return undefined;
    }
  };
  return {
    dir,
    apis: [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`],
    temporalAddress: `127.0.0.1:${temporalPort}`,
    temporalTls: clientTlsFiles(certPaths(join(dir, 'tls'))),
    uiUrl: `http://127.0.0.1:${port}${TEMPORAL_UI_PATH}`,
    process: child,
    pid,
    kill(part) {
      const p = pid(part);
      if (p) process.kill(-p, 'SIGKILL');
      return p;
    },
    async stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
