/** The API's safe defaults at start-up. */
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureApiToken } from '../../src/api-token';
import { ConfigError, loadConfig } from '../../src/config';

describe('startApi', () => {
  it('without API_TOKEN makes a token on first start, keeps it in DATA_DIR/api-token (0600), and uses it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'braid-token-'));
    try {
      const first = ensureApiToken(undefined, dir);
      expect(first).toMatchObject({ from: 'generated', path: join(dir, 'api-token') });
      expect(first.token.length).toBeGreaterThanOrEqual(43);
      expect(statSync(join(dir, 'api-token')).mode & 0o777).toBe(0o600);
      expect(ensureApiToken(undefined, dir)).toMatchObject({ from: 'file', token: first.token });
      // A file others could read is tightened.
      chmodSync(join(dir, 'api-token'), 0o644);
      ensureApiToken(undefined, dir);
      expect(statSync(join(dir, 'api-token')).mode & 0o777).toBe(0o600);
      expect(ensureApiToken('given', dir)).toEqual({ token: 'given', from: 'env' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad configuration with every problem named', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(/PORT.*LOG_LEVEL/);
  });

  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      namespace: 'default',
      temporalPort: 7233,
      temporalUiPort: 8233,
      taskQueue: 'braid',
      dataDir: './.data',
      logLevel: 'info',
      maxBodyBytes: 1048576,
      rateLimitPerMinute: 600,
    });
  });
});
