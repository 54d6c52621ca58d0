/**
 * `braid login`, `braid logout` and `braid projects` against the API served
 * on loopback (keys and projects in a SQLite file): a key read from standard
 * input is checked, then kept 0600 in the config folder and used by later
 * commands without any environment; a wrong key is not kept.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { main } from '../../src/cli';
import { loginFile } from '../../src/cli/login';
import { silentLogger } from '../../src/logger';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createKeyStore } from '../../src/store/keys';
import { createProjectStore } from '../../src/store/projects';
import { createFakeRunStore } from '../helpers/fake-run-store';

const TOKEN = 'cli-login-token-0123456789abcdef';
let dir: string;
let database: BraidDatabase;
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-cli-login-'));
  database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  const app = createApp({
    client: {} as Client,
    config: {
      namespace: 'default',
      taskQueue: 'braid',
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 64 * 1024,
      rateLimitPerMinute: 6000,
      apiToken: TOKEN,
    },
    logger: silentLogger,
    runStore: createFakeRunStore().store,
    keys: createKeyStore(database.db),
    projects: createProjectStore(database.db),
    readiness: async () => ({ ready: true, checks: {} }),
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], io: { env?: Record<string, string>; configDir?: string; stdin?: string } = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    env: io.env ?? {},
    ...(io.configDir ? { configDir: io.configDir } : {}),
    readStdin: async () => io.stdin ?? '',
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

describe('braid login', () => {
  it('keeps a checked key for its API, uses it without any environment, and forgets it at logout', async () => {
    const admin = { BRAID_URL: url, API_TOKEN: TOKEN };
    expect(await cli(['projects', 'create', 'acme'], { env: admin })).toMatchObject({ code: 0, out: 'made project acme\n' });
    const made = await cli(['--json', 'keys', 'create', 'ci', '--role', 'acme=operator'], { env: admin });
    const { key } = JSON.parse(made.out) as { key: string };
    const configDir = join(dir, 'config');

    // A key that is not one: refused, nothing kept.
    const wrong = await cli(['login', '--url', url], { configDir, stdin: 'braid_0123456789abcdef_' + 'x'.repeat(43) + '\n' });
    expect(wrong.code).toBe(2);
    expect(existsSync(loginFile(configDir))).toBe(false);

    const login = await cli(['login', '--url', url], { configDir, stdin: `${key}\n` });
    expect(login).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^signed in to ${url} as key:[0-9a-f]{16}: acme=operator\\n$`)) });
    expect(statSync(loginFile(configDir)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(loginFile(configDir), 'utf8'))).toEqual({ url, token: key });

    // No BRAID_URL, no API_TOKEN: the saved login is the API and the credential.
    expect(await cli(['whoami'], { configDir })).toMatchObject({ code: 0, out: expect.stringMatching(/^key:[0-9a-f]{16} acme=operator\n$/) });
    expect(await cli(['projects', 'list'], { configDir })).toMatchObject({ code: 0, out: 'acme\toperator\n' });
    // An operator cannot make projects: the API's 403, exit 2.
    expect((await cli(['projects', 'create', 'mine'], { configDir })).code).toBe(2);

    expect(await cli(['logout'], { configDir })).toMatchObject({ code: 0, out: `forgot the key for ${url}\n` });
    expect(existsSync(loginFile(configDir))).toBe(false);
    expect((await cli(['whoami'], { configDir, env: { BRAID_URL: url } })).code).toBe(2);
  });

  it('takes the key only from standard input', async () => {
    const none = await cli(['login', '--url', url], { configDir: join(dir, 'other') });
    expect(none).toMatchObject({ code: 2, err: expect.stringContaining('standard input') });
  });
});
