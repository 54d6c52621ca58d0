/**
 * docs/configuration.md (generated from src/config-docs.ts) names every
 * variable of the configuration schema, and nothing that Braid does not read.
 */
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config';
import { ENV_VARIABLES } from '../../src/config-docs';

/** Read outside the configuration schema: prefix families (any name, read by webhookKey and the worker's secrets) and the CLI's API. */
const READ_ELSEWHERE = ['BRAID_SECRET_<NAME>', 'BRAID_WEBHOOK_SECRET_<NAME>', 'BRAID_URL'];

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
