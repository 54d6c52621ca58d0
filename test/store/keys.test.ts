/**
 * API keys on both of Braid's databases: a key authenticates as its
 * principal until it expires or is revoked; a wrong secret, an unknown id or
 * a malformed token authenticate nobody; only the secret's hash is stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import { createKeyStore } from '../../src/store/keys';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let dir: string;
const dbs: Partial<Record<'sqlite' | 'postgres', BraidDatabase>> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-keys-'));
  dbs.sqlite = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  postgres = await startPostgres();
  dbs.postgres = await openDatabase({ kind: 'postgres', url: await postgres.createDatabase('keys') });
});
afterAll(async () => {
  for (const d of Object.values(dbs)) await d?.close().catch(() => undefined);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'] as const)('API keys on %s', (kind) => {
  it('authenticates a live key as its principal, with its roles, and keeps only its hash', async () => {
    const keys = createKeyStore(dbs[kind]!.db);
    const made = await keys.create({ name: 'ci', roles: { default: 'operator' }, createdBy: 'api-token' });
    expect(made.key).toMatch(/^braid_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await keys.authenticate(made.key)).toBe(`key:${made.id}`);
    expect(await keys.rolesOf(`key:${made.id}`)).toEqual({ default: 'operator' });
    expect(made.view).toMatchObject({ name: 'ci', principal: `key:${made.id}`, roles: { default: 'operator' }, revokedAt: null });
    // With its roles in one read, as the API authenticates every request; a role given later is there at the next.
    await keys.setRole('acme', `key:${made.id}`, 'viewer');
    expect(await keys.authenticateWithRoles(made.key)).toEqual({ principal: `key:${made.id}`, roles: { default: 'operator', acme: 'viewer' } });
    const bare = await keys.create({ name: 'no-roles', roles: {}, createdBy: 'api-token' });
    expect(await keys.authenticateWithRoles(bare.key)).toEqual({ principal: `key:${bare.id}`, roles: {} });
    const row = await dbs[kind]!.db.selectFrom('api_keys').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(made.key.slice('braid_'.length + 17));
  });

  it('authenticates nobody with a wrong secret, an unknown id or a malformed token', async () => {
    const keys = createKeyStore(dbs[kind]!.db);
    const made = await keys.create({ name: 'x', roles: { default: 'viewer' }, createdBy: 'api-token' });
    const id = made.id;
    const flipped = made.key.slice(0, -1) + (made.key.endsWith('A') ? 'B' : 'A');
    expect(await keys.authenticate(flipped)).toBeUndefined();
    expect(await keys.authenticate(made.key.replace(id!, '0123456789abcdef'))).toBeUndefined();
    for (const token of ['', 'braid_', made.key + 'x', `braid_${id}`, "braid_' OR 1=1 --_x"]) expect(await keys.authenticate(token)).toBeUndefined();
  });

  it('stops authenticating a key once it expires or is revoked', async () => {
    const keys = createKeyStore(dbs[kind]!.db);
    const soon = await keys.create({
      name: 'short',
      roles: { default: 'viewer' },
      createdBy: 'api-token',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(await keys.authenticate(soon.key)).toBe(`key:${soon.id}`);
    expect(await keys.authenticate(soon.key, new Date(Date.now() + 120_000))).toBeUndefined();
    const revoked = await keys.create({ name: 'gone', roles: { default: 'owner' }, createdBy: 'api-token' });
    expect(await keys.revoke(revoked.id)).toBe(true);
    expect(await keys.authenticate(revoked.key)).toBeUndefined();
    expect((await keys.get(revoked.id))!.revokedAt).not.toBeNull();
    expect(await keys.revoke('ffffffffffffffff')).toBe(false);
  });
});
