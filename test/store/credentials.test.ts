/**
 * The credentials store on both of Braid's databases: values sealed at rest
 * (no secret field in any column), opened only with the key and in their
 * own row, rotated in place, one name per project.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncryptionKey } from '../../src/credentials/cipher';
import { createCredentialStore } from '../../src/store/credentials';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let dir: string;
const dbs: Partial<Record<'sqlite' | 'postgres', BraidDatabase>> = {};
const key = randomBytes(32);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-creds-'));
  dbs.sqlite = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  postgres = await startPostgres();
  dbs.postgres = await openDatabase({ kind: 'postgres', url: await postgres.createDatabase('credentials') });
});
afterAll(async () => {
  for (const d of Object.values(dbs)) await d?.close().catch(() => undefined);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'] as const)('credentials on %s', (kind) => {
  it('keeps values sealed, opens them with the key, and rotates in place', async () => {
    const store = createCredentialStore(dbs[kind]!.db, key);
    const made = await store.create('default', {
      name: 'stripe',
      type: 'basic',
      data: { username: 'acct_1', password: 'sk_live_sealed_42' },
      allowedHosts: ['api.stripe.com'],
    });
    expect(made).toMatchObject({ name: 'stripe', type: 'basic', allowedHosts: ['api.stripe.com'], rotatedAt: null, lastUsedAt: null });
    expect(JSON.stringify(made)).not.toContain('sk_live_sealed_42');
    const rows = await dbs[kind]!.db.selectFrom('credentials').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/sk_live_sealed_42|acct_1/);
    expect(await store.resolve('default', 'stripe')).toMatchObject({ type: 'basic', data: { username: 'acct_1', password: 'sk_live_sealed_42' }, version: 1 });
    expect((await store.get('default', 'stripe'))!.lastUsedAt).not.toBeNull();
    await store.rotate('default', 'stripe', { data: { username: 'acct_1', password: 'sk_live_rotated_43' } });
    expect(await store.resolve('default', 'stripe')).toMatchObject({ data: { password: 'sk_live_rotated_43' }, version: 2 });
    expect(await store.create('default', { name: 'stripe', type: 'bearer', data: { token: 'x' }, allowedHosts: ['a.test'] })).toBeUndefined();
    expect(await store.resolve('other', 'stripe')).toBeUndefined();
  });

  it('does not open with another key, nor in another row', async () => {
    const store = createCredentialStore(dbs[kind]!.db, key);
    await store.create('default', { name: 'moved', type: 'bearer', data: { token: 'tok-moved-1' }, allowedHosts: ['a.test'] });
    await expect(createCredentialStore(dbs[kind]!.db, randomBytes(32)).resolve('default', 'moved')).rejects.toThrow();
    // A sealed value copied into another credential's row does not open there (project and name are bound to it).
    const sealed = await dbs[kind]!.db.selectFrom('credentials').select(['iv', 'ciphertext', 'tag']).where('name', '=', 'moved').executeTakeFirstOrThrow();
    await store.create('default', { name: 'victim', type: 'bearer', data: { token: 'tok-victim' }, allowedHosts: ['a.test'] });
    await dbs[kind]!.db.updateTable('credentials').set(sealed).where('name', '=', 'victim').execute();
    await expect(store.resolve('default', 'victim')).rejects.toThrow();
    expect(await store.remove('default', 'victim')).toBe(true);
    expect(await store.remove('default', 'victim')).toBe(false);
  });
});

describe('the credentials key', () => {
  it('is made once in DATA_DIR (0600), or derived from BRAID_ENCRYPTION_KEY', async () => {
    const first = loadEncryptionKey({ dataDir: dir });
    expect(loadEncryptionKey({ dataDir: dir }).equals(first)).toBe(true);
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    const env = randomBytes(32).toString('base64');
    const derived = loadEncryptionKey({ dataDir: dir, encryptionKey: env });
    expect(derived.length).toBe(32);
    expect(derived.equals(Buffer.from(env, 'base64'))).toBe(false);
    expect(() => loadEncryptionKey({ dataDir: dir, encryptionKey: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });
});
