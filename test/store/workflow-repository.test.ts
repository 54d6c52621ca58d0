/**
 * The saved-workflow repository on both backends, for real: SQLite (a file in
 * a temp folder) and PostgreSQL (a cluster started for this file). The same
 * cases run on each, since one query code path serves both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BraidDatabase, DatabaseOptions } from '../../src/store/database';
import { migrate, openDatabase } from '../../src/store/database';
import type { WorkflowRepository } from '../../src/store/workflow-repository';
import { createWorkflowRepository } from '../../src/store/workflow-repository';
import { createProjectStore } from '../../src/store/projects';
import type { Kysely } from 'kysely';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
const dir = mkdtempSync(join(tmpdir(), 'braid-store-'));

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: { kind: string; options: () => Promise<DatabaseOptions> }[] = [
  { kind: 'sqlite', options: async () => ({ kind: 'sqlite', file: join(dir, `${Math.random().toString(36).slice(2)}.db`) }) },
  { kind: 'postgres', options: async () => ({ kind: 'postgres', url: await postgres.createDatabase(`t${Math.random().toString(36).slice(2)}`) }) },
];

const def = (n: number) => ({ name: 'orders', nodes: [{ id: 'start', type: 'trigger', position: { x: n, y: 0 } }], edges: [] });

describe.each(backends)('workflow repository on $kind', ({ options }) => {
  let database: BraidDatabase;
  let repo: WorkflowRepository;
  let clock = Date.parse('2026-11-26T09:00:00Z');

  beforeAll(async () => {
    database = await openDatabase(await options());
    repo = createWorkflowRepository(database.db, () => new Date((clock += 1000)));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('stores a first version and reads it back exactly as saved', async () => {
    const saved = await repo.save('orders', 'aaaaaaaaaaaaaaaa', def(1), ['manual', 'webhook']);
    expect(saved).toEqual({ created: true });
    const got = await repo.get('orders');
    expect(got).toMatchObject({ name: 'orders', latestVersion: 'aaaaaaaaaaaaaaaa', triggerKinds: ['manual', 'webhook'] });
    expect(got?.definition).toEqual(def(1));
    expect(await repo.getVersion('orders', 'aaaaaaaaaaaaaaaa')).toMatchObject({ definition: def(1), triggerKinds: ['manual', 'webhook'] });
  });

  it('saving the same version again creates nothing and changes nothing', async () => {
    const before = await repo.get('orders');
    expect(await repo.save('orders', 'aaaaaaaaaaaaaaaa', def(1), ['manual', 'webhook'])).toEqual({ created: false });
    expect(await repo.get('orders')).toEqual(before);
    expect(await repo.versions('orders')).toHaveLength(1);
  });

  it('a new version becomes the latest and reports the previous one; versions list newest first', async () => {
    const saved = await repo.save('orders', 'bbbbbbbbbbbbbbbb', def(2), ['schedule']);
    expect(saved.created).toBe(true);
    expect(saved.previous).toMatchObject({ version: 'aaaaaaaaaaaaaaaa', definition: def(1) });
    expect((await repo.get('orders'))?.latestVersion).toBe('bbbbbbbbbbbbbbbb');
    expect((await repo.versions('orders')).map((v) => v.version)).toEqual(['bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa']);
  });

  it('re-saving an older version makes it the latest again without a new row', async () => {
    const before = await repo.get('orders');
    const saved = await repo.save('orders', 'aaaaaaaaaaaaaaaa', def(1), ['manual', 'webhook']);
    expect(saved).toMatchObject({ created: false, previous: { version: 'bbbbbbbbbbbbbbbb' } });
    const after = await repo.get('orders');
    expect(after?.latestVersion).toBe('aaaaaaaaaaaaaaaa');
    expect(after!.updatedAt > before!.updatedAt).toBe(true);
    expect(after!.createdAt).toBe(before!.createdAt);
    expect(await repo.versions('orders')).toHaveLength(2);
  });

  it('pages through workflows by name', async () => {
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) await repo.save(name, 'cccccccccccccccc', def(3), ['manual']);
    const first = await repo.list(2);
    expect(first.workflows.map((w) => w.name)).toEqual(['alpha', 'beta']);
    expect(first.more).toBe(true);
    const second = await repo.list(2, 'beta');
    expect(second.workflows.map((w) => w.name)).toEqual(['delta', 'gamma']);
    const third = await repo.list(2, 'gamma');
    expect(third).toEqual({ workflows: [expect.objectContaining({ name: 'orders', latestVersion: 'aaaaaaaaaaaaaaaa' })], more: false });
  });

  it('deletes a workflow with all its versions, once', async () => {
    const deleted = await repo.delete('orders');
    expect(deleted?.map((v) => v.version).sort()).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(await repo.get('orders')).toBeUndefined();
    expect(await repo.getVersion('orders', 'aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await repo.versions('orders')).toEqual([]);
    expect(await repo.delete('orders')).toBeUndefined();
  });

  it('concurrent saves of the same new content create it once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => repo.save('racy', 'dddddddddddddddd', def(4), ['manual'])));
    expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(1);
    expect(await repo.versions('racy')).toHaveLength(1);
    expect((await repo.get('racy'))?.latestVersion).toBe('dddddddddddddddd');
  });

  it("keeps each project's workflows apart: same names, separate versions, lists and deletes", async () => {
    const acme = repo.inProject('acme');
    await acme.save('racy', 'ffffffffffffffff', def(9), ['webhook']);
    expect((await acme.get('racy'))?.latestVersion).toBe('ffffffffffffffff');
    expect((await repo.get('racy'))?.latestVersion).toBe('dddddddddddddddd');
    expect(await acme.getVersion('racy', 'dddddddddddddddd')).toBeUndefined();
    expect(await repo.getVersion('racy', 'ffffffffffffffff')).toBeUndefined();
    expect((await acme.list(10)).workflows.map((w) => w.name)).toEqual(['racy']);
    expect((await repo.list(100)).workflows.map((w) => w.name)).not.toContain('ffffffffffffffff');
    expect((await acme.delete('racy'))?.map((v) => v.version)).toEqual(['ffffffffffffffff']);
    expect((await repo.get('racy'))?.latestVersion).toBe('dddddddddddddddd');
    expect(await repo.inProject('shop').delete('racy')).toBeUndefined();
  });

  it('knows the projects: default from the start, others once made, each once', async () => {
    const projects = createProjectStore(database.db);
    expect(await projects.exists('default')).toBe(true);
    expect(await projects.exists('acme')).toBe(false);
    expect(await projects.create('acme', 'api-token')).toBe(true);
    expect(await projects.create('acme', 'someone-else')).toBe(false);
    expect((await projects.list()).map((p) => `${p.name} ${p.createdBy}`)).toEqual(['acme api-token', 'default braid']);
  });

  it('migrations are idempotent: running them again on a migrated database changes nothing', async () => {
    await migrate(database.db);
    expect((await repo.get('racy'))?.latestVersion).toBe('dddddddddddddddd');
  });
});

describe.each(backends)('moving to projects on $kind', ({ options }) => {
  it('gives what was saved before projects to `default`, versions and all', async () => {
    const database = await openDatabase(await options(), { migrateTo: '0010-session-principals' });
    const db = database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await db
      .insertInto('workflows')
      .values({ name: 'legacy', latest_version: 'abababababababab', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z' })
      .execute();
    for (const version of ['abababababababab', 'cdcdcdcdcdcdcdcd']) {
      await db
        .insertInto('workflow_versions')
        .values({ workflow_name: 'legacy', version, definition: JSON.stringify(def(7)), trigger_kinds: 'manual', created_at: '2026-01-01T00:00:00Z' })
        .execute();
    }
    await migrate(database.db);
    const repo = createWorkflowRepository(database.db);
    expect(await repo.get('legacy')).toMatchObject({ latestVersion: 'abababababababab', createdAt: '2026-01-01T00:00:00Z', definition: def(7) });
    expect((await repo.versions('legacy')).map((v) => v.version).sort()).toEqual(['abababababababab', 'cdcdcdcdcdcdcdcd']);
    expect(await repo.inProject('acme').get('legacy')).toBeUndefined();
    await database.close();
  });
});

describe('persistence', () => {
  it('a SQLite file keeps saved workflows across a close and reopen', async () => {
    const file = join(dir, 'reopen.db');
    const first = await openDatabase({ kind: 'sqlite', file });
    await createWorkflowRepository(first.db).save('kept', 'eeeeeeeeeeeeeeee', def(5), ['manual']);
    await first.close();
    const second = await openDatabase({ kind: 'sqlite', file });
    expect((await createWorkflowRepository(second.db).get('kept'))?.definition).toEqual(def(5));
    await second.close();
  });

  it('an unreachable PostgreSQL fails start-up with a clear message naming the database, without the password', async () => {
    await expect(openDatabase({ kind: 'postgres', url: 'postgres://braid:hunter2@127.0.0.1:1/none' })).rejects.toThrow(
      /could not prepare the database at postgres:\/\/braid:\*\*\*@127\.0\.0\.1:1\/none/,
    );
  });
});
