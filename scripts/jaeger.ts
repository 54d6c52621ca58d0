/**
 * `npm run jaeger`: Jaeger on this machine, to see Braid's traces: builds it
 * from its Go module once (into `.temporal/bin/`), then serves its UI on
 * http://127.0.0.1:16686 and takes OTLP over HTTP on 127.0.0.1:4318. Start
 * Braid with `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318` and
 * `OTEL_TRACE_URL=http://127.0.0.1:16686/trace/{traceId}`.
 *
 * `npm run jaeger -- --build-only` builds it and exits (CI, before the tests).
 */
import { createLogger } from '../src/logger';
import { ensureJaeger, startJaeger } from '../src/telemetry/jaeger';

async function main(): Promise<void> {
  const logger = createLogger('info', { component: 'jaeger' });
  const binary = await ensureJaeger(logger);
  if (process.argv.includes('--build-only')) return;
  const jaeger = await startJaeger(binary, { otlpHttp: 4318, query: 16686, queryGrpc: 16685 });
  process.stdout.write(`\nJaeger is up.\n\n  UI     ${jaeger.queryUrl}\n  OTLP   ${jaeger.otlpEndpoint}   (OTEL_EXPORTER_OTLP_ENDPOINT)\n\nCtrl-C stops it.\n`);
  const stop = () => void jaeger.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
