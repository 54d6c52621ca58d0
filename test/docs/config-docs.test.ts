/**
 * docs/configuration.md (generated from src/config-docs.ts) names every
 * variable of the configuration schema, and nothing that Braid does not read.
 */
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config';
import { ENV_VARIABLES } from '../../src/config-docs';

/**
 * Read outside the configuration schema: prefix families (any name, read by webhookKey and the worker's secrets), the CLI's API,
 * and OpenTelemetry's own variables (src/telemetry/tracing.ts and the SDK read them).
 */
const READ_ELSEWHERE = [
  'BRAID_SECRET_<NAME>',
  'BRAID_WEBHOOK_SECRET_<NAME>',
  'BRAID_URL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
];

describe('the configuration page', () => {
  const documented = ENV_VARIABLES.flatMap((v) => v.names);
  const read = Object.keys(envSchema.shape);

  it('documents every variable the configuration schema reads', () => {
    expect(read.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents nothing Braid does not read', () => {
    expect(documented.filter((name) => !read.includes(name) && !READ_ELSEWHERE.includes(name))).toEqual([]);
  });

  it('names each variable once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });
});
