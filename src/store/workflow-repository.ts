/**
 * Saved workflows and their immutable versions. One query code path for
 * SQLite and PostgreSQL (Kysely); every method is a single statement or one
 * transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { TriggerKind } from '../graph/schema';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './errors';
import { DEFAULT_PROJECT } from '../graph/project-ids';
import type { Database, WorkflowsTable, WorkflowVersionsTable } from './tables';

export interface SavedVersion {
  version: string;
  createdAt: string;
  triggerKinds: TriggerKind[];
}

export interface SavedWorkflow {
  name: string;
  latestVersion: string;
  createdAt: string;
  updatedAt: string;
  triggerKinds: TriggerKind[];
}

export interface StoredVersion extends SavedVersion {
  name: string;
  /** The definition exactly as saved. */
  definition: unknown;
}

export interface SaveResult {
  /** False when this content was saved before (the version already existed). */
  created: boolean;
  /** The version that was latest before this save, if any and if different. */
  previous?: StoredVersion;
}

const kindsOf = (text: string) => (text ? (text.split(',') as TriggerKind[]) : []);

type VersionRow = Selectable<WorkflowVersionsTable>;
type SummaryRow = Pick<Selectable<WorkflowsTable>, 'name' | 'latest_version' | 'created_at' | 'updated_at'> & { trigger_kinds: string };

function storedVersion(row: VersionRow): StoredVersion {
  return {
    name: row.workflow_name,
    version: row.version,
    createdAt: row.created_at,
    triggerKinds: kindsOf(row.trigger_kinds),
    definition: JSON.parse(row.definition) as unknown,
  };
}

function summary(row: SummaryRow): SavedWorkflow {
  return {
    name: row.name,
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    triggerKinds: kindsOf(row.trigger_kinds),
  };
}

/** The latest version joined to its workflow. */
const withLatest = (db: Kysely<Database>, project: string) =>
  db
    .selectFrom('project_workflows as w')
    .innerJoin('project_workflow_versions as v', (j) =>
      j.onRef('v.project', '=', 'w.project').onRef('v.workflow_name', '=', 'w.name').onRef('v.version', '=', 'w.latest_version'),
    )
    .where('w.project', '=', project);

/** One save in a transaction: the workflow's row if new, the version if new, the latest pointer if it moved. */
async function saveVersion(
  tx: Kysely<Database>,
  v: { project: string; name: string; version: string; definition: unknown; triggerKinds: readonly TriggerKind[]; at: string },
): Promise<SaveResult> {
  const { project, name, version, at } = v;
  const current = await tx.selectFrom('project_workflows').select('latest_version').where('project', '=', project).where('name', '=', name).executeTakeFirst();
  if (!current) {
    await tx
      .insertInto('project_workflows')
      .values({ project, name, latest_version: version, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['project', 'name']).doNothing())
      .execute();
  }
  const inserted = await tx
    .insertInto('project_workflow_versions')
    .values({ project, workflow_name: name, version, definition: JSON.stringify(v.definition), trigger_kinds: v.triggerKinds.join(','), created_at: at })
    .onConflict((oc) => oc.columns(['project', 'workflow_name', 'version']).doNothing())
    .executeTakeFirst();
  const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  let previous: StoredVersion | undefined;
  if (current && current.latest_version !== version) {
    const row = await tx
      .selectFrom('project_workflow_versions')
      .selectAll()
      .where('project', '=', project)
      .where('workflow_name', '=', name)
      .where('version', '=', current.latest_version)
      .executeTakeFirst();
    previous = row && storedVersion(row);
  }
  if (current && (created || current.latest_version !== version)) {
    await tx
      .updateTable('project_workflows')
      .set({ latest_version: version, updated_at: at })
      .where('project', '=', project)
      .where('name', '=', name)
      .execute();
  }
  return { created, ...(previous ? { previous } : {}) };
}

/**
 * One project's saved workflows, over a database or one still opening (its
 * methods wait for it), so an app can be built synchronously. Every
 * statement names the project: no method reads or changes another's.
 */
export function createWorkflowRepository(
  database: Kysely<Database> | Promise<Kysely<Database>>,
  now: () => Date = () => new Date(),
  project: string = DEFAULT_PROJECT,
) {
  const ready = Promise.resolve(database);
  async function readVersion(q: Kysely<Database>, name: string, version: string): Promise<StoredVersion | undefined> {
    const row = await q
      .selectFrom('project_workflow_versions')
      .selectAll()
      .where('project', '=', project)
      .where('workflow_name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && storedVersion(row);
  }

  const methods = {
    /**
     * Stores `definition` as `version` of `name` (unless that content was
     * saved before) and makes it the latest.
     */
    async save(name: string, version: string, definition: unknown, triggerKinds: readonly TriggerKind[]): Promise<SaveResult> {
      const db = await ready;
      return db.transaction().execute((tx) => saveVersion(tx, { project, name, version, definition, triggerKinds, at: now().toISOString() }));
    },

    async get(name: string): Promise<(SavedWorkflow & { definition: unknown }) | undefined> {
      const db = await ready;
      const row = await withLatest(db, project)
        .select(['w.name', 'w.latest_version', 'w.created_at', 'w.updated_at', 'v.definition', 'v.trigger_kinds'])
        .where('w.name', '=', name)
        .executeTakeFirst();
      return row && { ...summary(row), definition: JSON.parse(row.definition) as unknown };
    },

    async getVersion(name: string, version: string): Promise<StoredVersion | undefined> {
      return readVersion(await ready, name, version);
    },

    /** Every version of a workflow, newest first. */
    async versions(name: string): Promise<SavedVersion[]> {
      const db = await ready;
      const rows = await db
        .selectFrom('project_workflow_versions')
        .select(['version', 'created_at', 'trigger_kinds'])
        .where('project', '=', project)
        .where('workflow_name', '=', name)
        .orderBy('created_at', 'desc')
        .orderBy('version', 'asc')
        .execute();
      return rows.map((r) => ({ version: r.version, createdAt: r.created_at, triggerKinds: kindsOf(r.trigger_kinds) }));
    },

    /** A page of workflows by name; `after` is the last name of the previous page. */
    async list(limit: number, after?: string): Promise<{ workflows: SavedWorkflow[]; more: boolean }> {
      const db = await ready;
      let query = withLatest(db, project)
        .select(['w.name', 'w.latest_version', 'w.created_at', 'w.updated_at', 'v.trigger_kinds'])
        .orderBy('w.name', 'asc')
        .limit(limit + 1);
      if (after !== undefined) query = query.where('w.name', '>', after);
      const rows = await query.execute();
      return {
        workflows: rows.slice(0, limit).map(summary),
        more: rows.length > limit,
      };
    },

    /** Deletes a workflow and all its versions; returns them (for clean-up), or undefined when there was none. */
    async delete(name: string): Promise<StoredVersion[] | undefined> {
      const db = await ready;
      return db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom('project_workflow_versions').selectAll().where('project', '=', project).where('workflow_name', '=', name).execute();
        const deleted = await tx.deleteFrom('project_workflows').where('project', '=', project).where('name', '=', name).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) return undefined;
        await tx.deleteFrom('project_workflow_versions').where('project', '=', project).where('workflow_name', '=', name).execute();
        return rows.map(storedVersion);
      });
    },
  };
  return {
    ...unavailableAsError(methods),
    project,
    /** The same database's repository for another project. */
    inProject: (other: string) => createWorkflowRepository(database, now, other),
  };
}

/** Every method's connection failures become DatabaseUnavailableError (503); other errors stay as they are. */
function unavailableAsError<T extends Record<string, (...args: never[]) => Promise<unknown>>>(methods: T): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : err;
      }
    };
  }
  return wrapped as T;
}

export type WorkflowRepository = ReturnType<typeof createWorkflowRepository>;
