/**
 * API keys and project roles in Braid's database. A key is
 * `braid_<id>_<secret>`: the id finds its row, the secret (32 random bytes)
 * is shown once, when the key is made, and only its sha256 is kept; keys are
 * compared in constant time, and an expired or revoked key authenticates
 * nobody. Roles live in `members`, one per project and principal, for keys
 * (`key:<id>`) and, later, people.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../auth/roles';
import { ROLES } from '../auth/roles';
import type { Database } from './tables';

export interface KeyView {
  id: string;
  name: string;
  principal: string;
  roles: Record<string, Role>;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface NewKey {
  name: string;
  roles: Record<string, Role>;
  expiresAt?: string;
  createdBy: string;
}

export interface KeyStore {
  /** Makes a key; `key` is the only time its secret is seen. */
  create(key: NewKey): Promise<{ id: string; key: string; view: KeyView }>;
  /** The principal a bearer token is, if it is a live key. */
  authenticate(token: string, now?: Date): Promise<string | undefined>;
  /** The same, with the key's roles, read in the same statement (the API's every request). */
  authenticateWithRoles(token: string, now?: Date): Promise<{ principal: string; roles: Record<string, Role> } | undefined>;
  list(): Promise<KeyView[]>;
  get(id: string): Promise<KeyView | undefined>;
  /** Revokes a key (it stays listed, revoked); false when there is none. */
  revoke(id: string, now?: Date): Promise<boolean>;
  /** A principal's role in each project. */
  rolesOf(principal: string): Promise<Record<string, Role>>;
  /** Gives `principal` `role` in `project`; true when it was not a member before. */
  setRole(project: string, principal: string, role: Role): Promise<boolean>;
  /** Takes `principal` out of `project`; false when it was not a member. */
  removeRole(project: string, principal: string): Promise<boolean>;
  /** A project's members and their roles, by principal. */
  membersOf(project: string): Promise<{ principal: string; role: Role }[]>;
}

const KEY = /^braid_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const keyPrincipal = (id: string) => `key:${id}`;

/** A bearer token's key and its roles, in one statement; undefined unless it is a live key. */
async function authenticateWithRoles(
  dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>,
  token: string,
  now = new Date(),
): Promise<{ principal: string; roles: Record<string, Role> } | undefined> {
  const m = KEY.exec(token);
  if (!m) return undefined;
  const db = await dbOrPromise;
  const principal = keyPrincipal(m[1]!);
  // The key's row and its roles in one statement.
  const rows = await db
    .selectFrom('api_keys as k')
    .leftJoin('members as m', (j) => j.on('m.principal', '=', principal))
    .select(['k.id', 'k.secret_hash', 'k.revoked_at', 'k.expires_at', 'm.project', 'm.role'])
    .where('k.id', '=', m[1]!)
    .execute();
  const row = rows[0];
  // The same work for an unknown id as for a wrong secret.
  const expected = Buffer.from(row?.secret_hash ?? sha256('no such key'), 'hex');
  const given = Buffer.from(sha256(m[2]!), 'hex');
  if (!timingSafeEqual(expected, given) || !row) return undefined;
  if (row.revoked_at !== null) return undefined;
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return undefined;
  const roles = Object.fromEntries(
    rows.flatMap((r) => (r.project !== null && r.role !== null && (ROLES as readonly string[]).includes(r.role) ? [[r.project, r.role as Role]] : [])),
  );
  return { principal, roles };
}

export function createKeyStore(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): KeyStore {
  async function rolesOf(principal: string): Promise<Record<string, Role>> {
    const db = await dbOrPromise;
    const rows = await db.selectFrom('members').select(['project', 'role']).where('principal', '=', principal).execute();
    return Object.fromEntries(rows.filter((r) => (ROLES as readonly string[]).includes(r.role)).map((r) => [r.project, r.role as Role]));
  }

  async function view(row: Database['api_keys']): Promise<KeyView> {
    const principal = keyPrincipal(row.id);
    return {
      id: row.id,
      name: row.name,
      principal,
      roles: await rolesOf(principal),
      createdBy: row.created_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
    };
  }

  return {
    async create(k) {
      const db = await dbOrPromise;
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const row = {
        id,
        name: k.name,
        secret_hash: sha256(secret),
        created_by: k.createdBy,
        created_at: new Date().toISOString(),
        expires_at: k.expiresAt ?? null,
        revoked_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('api_keys').values(row).execute();
        const members = Object.entries(k.roles).map(([project, role]) => ({ project, principal: keyPrincipal(id), role }));
        if (members.length) await trx.insertInto('members').values(members).execute();
      });
      return { id, key: `braid_${id}_${secret}`, view: await view(row) };
    },

    authenticateWithRoles: (token, now) => authenticateWithRoles(dbOrPromise, token, now),

    async authenticate(token, now = new Date()) {
      return (await authenticateWithRoles(dbOrPromise, token, now))?.principal;
    },

    async list() {
      const db = await dbOrPromise;
      const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').execute();
      return Promise.all(rows.map(view));
    },

    async get(id) {
      const db = await dbOrPromise;
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? view(row) : undefined;
    },

    async revoke(id, now = new Date()) {
      const db = await dbOrPromise;
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: now.toISOString() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return true;
      return (await db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },

    rolesOf,
    ...memberChanges(dbOrPromise),
  };
}

/** Adding, changing and removing a principal's role in a project. */
function memberChanges(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): Pick<KeyStore, 'setRole' | 'removeRole' | 'membersOf'> {
  return {
    async membersOf(project) {
      const db = await dbOrPromise;
      const rows = await db.selectFrom('members').select(['principal', 'role']).where('project', '=', project).orderBy('principal').execute();
      return rows.flatMap((r) => ((ROLES as readonly string[]).includes(r.role) ? [{ principal: r.principal, role: r.role as Role }] : []));
    },

    async setRole(project, principal, role) {
      const db = await dbOrPromise;
      const inserted = await db
        .insertInto('members')
        .values({ project, principal, role })
        .onConflict((oc) => oc.columns(['project', 'principal']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
      await db.updateTable('members').set({ role }).where('project', '=', project).where('principal', '=', principal).execute();
      return false;
    },

    async removeRole(project, principal) {
      const db = await dbOrPromise;
      const result = await db.deleteFrom('members').where('project', '=', project).where('principal', '=', principal).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
