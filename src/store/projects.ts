/**
 * Projects in Braid's database: a name, who made it and when. `default`
 * exists from the first start (migration 0011) and holds everything made
 * before projects. Administrators make the others; none is deleted (a
 * project's runs live on in Temporal under its name).
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface ProjectView {
  name: string;
  createdBy: string;
  createdAt: string;
}

export interface ProjectStore {
  /** Makes a project; false when one of that name exists. */
  create(name: string, createdBy: string, now?: Date): Promise<boolean>;
  exists(name: string): Promise<boolean>;
  /** Every project by name. */
  list(): Promise<ProjectView[]>;
}

export function createProjectStore(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>): ProjectStore {
  return {
    async create(name, createdBy, now = new Date()) {
      const db = await dbOrPromise;
      const inserted = await db
        .insertInto('projects')
        .values({ name, created_by: createdBy, created_at: now.toISOString() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async exists(name) {
      const db = await dbOrPromise;
      return (await db.selectFrom('projects').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
    },
    async list() {
      const db = await dbOrPromise;
      const rows = await db.selectFrom('projects').selectAll().orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, createdBy: r.created_by, createdAt: r.created_at }));
    },
  };
}
