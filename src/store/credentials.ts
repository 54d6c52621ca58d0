/**
 * The credentials store in Braid's database: a credential per project and
 * name, its secret fields sealed with AES-256-GCM (src/credentials/cipher.ts)
 * and never answered back. Reads show the name, type, hosts and times;
 * only `resolve` (the worker's http activity) opens the data.
 */
import type { Kysely } from 'kysely';
import type { Sealed } from '../credentials/cipher';
import { open, seal } from '../credentials/cipher';
import type { CredentialData, CredentialType, StoredCredential } from '../credentials/types';
import type { CredentialsTable, Database } from './tables';

export interface CredentialView {
  name: string;
  type: CredentialType;
  allowedHosts: string[];
  createdAt: string;
  rotatedAt: string | null;
  lastUsedAt: string | null;
}

export interface NewCredential<T extends CredentialType = CredentialType> {
  name: string;
  type: T;
  data: CredentialData[T];
  allowedHosts: string[];
}

export interface CredentialStore {
  /** Undefined when the project has a credential of that name already. */
  create(project: string, credential: NewCredential): Promise<CredentialView | undefined>;
  list(project: string): Promise<CredentialView[]>;
  get(project: string, name: string): Promise<CredentialView | undefined>;
  /** New secret fields (and hosts, when given); the next attempt of any node uses them. Undefined when there is none. */
  rotate(project: string, name: string, change: { data: unknown; allowedHosts?: string[] }): Promise<CredentialView | undefined>;
  remove(project: string, name: string): Promise<boolean>;
  /** The credential opened, with its version (for caches), and its use recorded; undefined when there is none. */
  resolve(project: string, name: string): Promise<(StoredCredential & { version: number }) | undefined>;
}

function view(row: CredentialsTable): CredentialView {
  return {
    name: row.name,
    type: row.type as CredentialType,
    allowedHosts: JSON.parse(row.allowed_hosts) as string[],
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    lastUsedAt: row.last_used_at,
  };
}

export function createCredentialStore(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>, key: Buffer): CredentialStore {
  const sealed = (project: string, name: string, data: unknown): Sealed => seal(key, project, name, JSON.stringify(data));
  const row = async (project: string, name: string) =>
    (await dbOrPromise).selectFrom('credentials').selectAll().where('project', '=', project).where('name', '=', name).executeTakeFirst();

  return {
    async create(project, c) {
      const db = await dbOrPromise;
      const values: CredentialsTable = {
        project,
        name: c.name,
        type: c.type,
        ...sealed(project, c.name, c.data),
        allowed_hosts: JSON.stringify(c.allowedHosts),
        version: 1,
        created_at: new Date().toISOString(),
        rotated_at: null,
        last_used_at: null,
      };
      const result = await db
        .insertInto('credentials')
        .values(values)
        .onConflict((oc) => oc.columns(['project', 'name']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1 ? view(values) : undefined;
    },

    async list(project) {
      const db = await dbOrPromise;
      return (await db.selectFrom('credentials').selectAll().where('project', '=', project).orderBy('name').execute()).map(view);
    },

    async get(project, name) {
      const found = await row(project, name);
      return found ? view(found) : undefined;
    },

    async rotate(project, name, change) {
      const db = await dbOrPromise;
      const found = await row(project, name);
      if (!found) return undefined;
      const next: Partial<CredentialsTable> = {
        ...sealed(project, name, change.data),
        ...(change.allowedHosts ? { allowed_hosts: JSON.stringify(change.allowedHosts) } : {}),
        version: found.version + 1,
        rotated_at: new Date().toISOString(),
      };
      await db.updateTable('credentials').set(next).where('project', '=', project).where('name', '=', name).execute();
      return view({ ...found, ...next });
    },

    async remove(project, name) {
      const db = await dbOrPromise;
      const result = await db.deleteFrom('credentials').where('project', '=', project).where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async resolve(project, name) {
      const found = await row(project, name);
      if (!found) return undefined;
      const data = JSON.parse(open(key, project, name, { iv: found.iv, ciphertext: found.ciphertext, tag: found.tag })) as unknown;
      const db = await dbOrPromise;
      await db.updateTable('credentials').set({ last_used_at: new Date().toISOString() }).where('project', '=', project).where('name', '=', name).execute();
      return {
        project,
        name,
        type: found.type,
        data,
        allowedHosts: JSON.parse(found.allowed_hosts) as string[],
        version: found.version,
      } as StoredCredential & {
        version: number;
      };
    },
  };
}
