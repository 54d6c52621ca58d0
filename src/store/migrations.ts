/**
 * Schema migrations, applied in name order at start-up by Kysely's Migrator
 * (it records what ran in its own table and takes a lock, so two API
 * processes starting together apply each migration once). Never edit a
 * migration that shipped; add the next one.
 */
import type { Kysely, Migration } from 'kysely';
import { sql, SqliteAdapter } from 'kysely';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-saved-workflows': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workflows')
        .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('latest_version', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('workflow_versions')
        .addColumn('workflow_name', 'varchar(100)', (c) => c.notNull().references('workflows.name').onDelete('cascade'))
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('trigger_kinds', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_name', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('workflow_versions').execute();
      await db.schema.dropTable('workflows').execute();
    },
  },
  '0002-counted-runs': {
    // Finished runs a replica has counted in /metrics: the first replica to
    // insert a run's row counts it, so replicas summed count it once.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('counted_runs')
        .addColumn('run_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('counted_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('counted_runs_counted_at').on('counted_runs').column('counted_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('counted_runs').execute();
    },
  },
  '0003-node-durations': {
    // Nodes' own times in saved workflows' succeeded runs: the start order
    // weighs each node with its median over the last 20 (src/graph/start-order.ts).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('node_durations')
        .addColumn('workflow_name', 'varchar(100)', (c) => c.notNull())
        .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('node_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('run_ms', 'double precision', (c) => c.notNull())
        .addColumn('finished_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('node_durations_pk', ['run_id', 'node_id'])
        .execute();
      await db.schema.createIndex('node_durations_workflow').on('node_durations').columns(['workflow_name', 'finished_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('node_durations').execute();
    },
  },
  '0004-node-cache': {
    // Cached node outputs (a node's `cache` field): one row per key, until it expires (src/store/node-cache.ts).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('node_cache')
        .addColumn('cache_key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('output', 'text', (c) => c.notNull())
        .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('stored_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('node_cache_expires_at').on('node_cache').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('node_cache').execute();
    },
  },
  '0005-page-sessions': {
    // The pages' sign-in sessions (src/ui/session.ts): one row per session, by the sha256 of its cookie value.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('page_sessions')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('page_sessions_expires_at').on('page_sessions').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('page_sessions').execute();
    },
  },
  '0006-used-signatures': {
    // Webhook signatures used once already (src/store/used-signatures.ts), shared by every API replica.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('used_signatures')
        .addColumn('key_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('used_signatures_seen_at').on('used_signatures').column('seen_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('used_signatures').execute();
    },
  },
  '0007-audit-log': {
    // The audit log (src/store/audit-log.ts): append-only, so UPDATE and DELETE are refused by trigger on both backends.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('principal', 'varchar(255)', (c) => c.notNull())
        .addColumn('project', 'varchar(100)', (c) => c.notNull())
        .addColumn('action', 'varchar(32)', (c) => c.notNull())
        .addColumn('target', 'varchar(512)', (c) => c.notNull())
        .addColumn('request_id', 'varchar(128)')
        .addColumn('prev_hash', 'varchar(64)')
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_project').on('audit_log').columns(['project', 'id']).execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql
            .raw(`CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`)
            .execute(db);
        }
      } else {
        await sql
          .raw("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$")
          .execute(db);
        await sql
          .raw(
            'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()',
          )
          .execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('audit_log').execute();
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) await sql.raw('DROP FUNCTION IF EXISTS audit_log_append_only()').execute(db);
    },
  },
  '0008-keys-and-members': {
    // API keys (only the sha256 of the secret) and project members with their roles (src/store/keys.ts).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)')
        .addColumn('revoked_at', 'varchar(32)')
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('project', 'varchar(100)', (c) => c.notNull())
        .addColumn('principal', 'varchar(255)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addPrimaryKeyConstraint('members_pk', ['project', 'principal'])
        .execute();
      await db.schema.createIndex('members_principal').on('members').column('principal').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('members').execute();
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0009-credentials': {
    // The credentials store (src/store/credentials.ts): one row per project and name, its secret fields sealed.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('credentials')
        .addColumn('project', 'varchar(100)', (c) => c.notNull())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('type', 'varchar(32)', (c) => c.notNull())
        .addColumn('iv', 'varchar(32)', (c) => c.notNull())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('tag', 'varchar(32)', (c) => c.notNull())
        .addColumn('allowed_hosts', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('rotated_at', 'varchar(32)')
        .addColumn('last_used_at', 'varchar(32)')
        .addPrimaryKeyConstraint('credentials_pk', ['project', 'name'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('credentials').execute();
    },
  },
  '0010-session-principals': {
    // A page session remembers who signed in: the token's holder, or a person through OpenID Connect.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('page_sessions').addColumn('principal', 'varchar(255)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('page_sessions').dropColumn('principal').execute();
    },
  },
  '0011-projects': {
    // Projects (src/store/projects.ts), `default` first; saved workflows and their versions keyed by project and name.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projects')
        .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await sql`INSERT INTO projects (name, created_by, created_at) VALUES ('default', 'braid', ${new Date().toISOString()})`.execute(db);
      await db.schema
        .createTable('project_workflows')
        .addColumn('project', 'varchar(100)', (c) => c.notNull())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('latest_version', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('project_workflows_pk', ['project', 'name'])
        .execute();
      await db.schema
        .createTable('project_workflow_versions')
        .addColumn('project', 'varchar(100)', (c) => c.notNull())
        .addColumn('workflow_name', 'varchar(100)', (c) => c.notNull())
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('trigger_kinds', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('project_workflow_versions_pk', ['project', 'workflow_name', 'version'])
        .execute();
      // What was saved before projects belongs to `default`.
      await sql`INSERT INTO project_workflows (project, name, latest_version, created_at, updated_at)
        SELECT 'default', name, latest_version, created_at, updated_at FROM workflows`.execute(db);
      await sql`INSERT INTO project_workflow_versions (project, workflow_name, version, definition, trigger_kinds, created_at)
        SELECT 'default', workflow_name, version, definition, trigger_kinds, created_at FROM workflow_versions`.execute(db);
      await db.schema.dropTable('workflow_versions').execute();
      await db.schema.dropTable('workflows').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('project_workflow_versions').execute();
      await db.schema.dropTable('project_workflows').execute();
      await db.schema.dropTable('projects').execute();
    },
  },
};
