/** The API's safe defaults at start-up. */
import { describe, expect, it } from 'vitest';
import { startApi } from '../../src/api';
import { ConfigError, loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';

describe('startApi', () => {
  it('refuses a non-loopback HOST without API_TOKEN, saying why', async () => {
    await expect(startApi(loadConfig({ HOST: '0.0.0.0' }), silentLogger)).rejects.toThrow(/API_TOKEN/);
  });

  it('rejects bad configuration with every problem named', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(/PORT.*LOG_LEVEL/);
  });

  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000, host: '127.0.0.1', namespace: 'default', temporalPort: 7233, temporalUiPort: 8233, taskQueue: 'braid', dataDir: './.data', logLevel: 'info', maxBodyBytes: 1048576, rateLimitPerMinute: 600,
    });
  });
});
