/**
 * Jaeger, the tracing backend the tests send traces to (and `npm run jaeger`
 * runs for a person): built from its Go module into `.temporal/bin/jaeger`
 * as the Temporal server is, and started with an in-memory store, an OTLP
 * HTTP receiver and its query API on the ports asked for, loopback only.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary } from '../cluster/build';
import { waitFor } from '../cluster/prepare';
import type { Logger } from '../logger';

export const JAEGER = { pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger', version: 'v1.75.0' } as const;

/** `.temporal/bin/jaeger`, built unless this version is there. */
export function ensureJaeger(logger: Logger): Promise<string> {
  // Its go.mod has replace directives: built as a tool of a module of our own, not with `go install pkg@version`.
  return ensureGoBinary('jaeger', JAEGER.pkg, JAEGER.version, logger, { asTool: true });
}

/** The collector configuration: OTLP over HTTP in, memory store, query API out; no metrics port of its own. */
export function jaegerConfig(ports: { otlpHttp: number; query: number; queryGrpc: number }, host = '127.0.0.1'): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${host}:${ports.query}
    grpc:
      endpoint: ${host}:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${host}:${ports.otlpHttp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

export interface RunningJaeger {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for it. */
  otlpEndpoint: string;
  /** The UI and its HTTP API (`/api/traces/<traceId>`). */
  queryUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts Jaeger and waits until its query API answers. */
export async function startJaeger(binary: string, ports: { otlpHttp: number; query: number; queryGrpc: number }): Promise<RunningJaeger> {
  const dir = mkdtempSync(join(tmpdir(), 'braid-jaeger-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, jaegerConfig(ports));
  const child = spawn(binary, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  const answers = () =>
    fetch(`${queryUrl}/api/services`).then(
      (r) => r.ok,
      () => false,
    );
  try {
    await waitFor(`jaeger answering on ${queryUrl}`, answers, () => child.exitCode === null, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}:\n${output}`);
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlpHttp}`,
    queryUrl,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
