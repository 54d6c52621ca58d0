/**
 * The audit log on both of Braid's databases: one hash chain however many
 * replicas append at once, newest first with filters and pages, UPDATE and
 * DELETE refused by the database, and `chainProblem` (what `braid audit
 * verify` runs) finding an entry edited or removed behind Braid's back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainProblem } from '../../src/audit/chain';
import { createAuditLog } from '../../src/store/audit-log';
import type { BraidDatabase } from '../../src/store/database';
import { openDatabase } from '../../src/store/database';
import type { TestPostgres } from '../helpers/postgres';
import { startPostgres } from '../helpers/postgres';

let postgres: TestPostgres;
let dir: string;
const backends: Record<'sqlite' | 'postgres', BraidDatabase[]> = { sqlite: [], postgres: [] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'braid-audit-'));
  const file = join(dir, 'braid.db');
  backends.sqlite = [await openDatabase({ kind: 'sqlite', file }), await openDatabase({ kind: 'sqlite', file })];
  postgres = await startPostgres();
  const url = await postgres.createDatabase('audit');
  backends.postgres = [await openDatabase({ kind: 'postgres', url }), await openDatabase({ kind: 'postgres', url })];
});
afterAll(async () => {
  for (const d of [...backends.sqlite, ...backends.postgres]) await d.close().catch(() => undefined);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'] as const)('the audit log on %s', (kind) => {
  it('keeps one chain while two replicas append at once', async () => {
    const [a, b] = backends[kind].map((d) => createAuditLog(d.db));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a! : b!).append({
          principal: i % 2 ? 'api-token' : 'oidc:ada',
          project: i % 3 ? 'default' : 'shop',
          action: 'run.start',
          target: `run-${i}`,
          requestId: `req-${i}`,
        }),
      ),
    );
    const all = await a!.list({ limit: 500 });
    expect(all.entries.map((e) => e.id)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(all.entries.at(-1)!.prevHash).toBeNull();
    expect(chainProblem(all.entries)).toBeUndefined();
  });

  it('answers newest first, filtered, a page at a time', async () => {
    const log = createAuditLog(backends[kind][0]!.db);
    const shop = await log.list({ project: 'shop', limit: 500 });
    expect(shop.entries.length).toBe(10);
    expect(shop.entries.every((e) => e.project === 'shop')).toBe(true);
    const ada = await log.list({ principal: 'oidc:ada', action: 'run.start', limit: 500 });
    expect(ada.entries.every((e) => e.principal === 'oidc:ada')).toBe(true);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    await expect(log.list({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(/cursor/);
  });

  it('refuses to change or delete an entry', async () => {
    const { db } = backends[kind][0]!;
    await expect(db.updateTable('audit_log').set({ target: 'forged' }).where('id', '=', 3).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('id', '=', 3).execute()).rejects.toThrow(/append-only/);
  });

  it('finds an entry edited or removed behind its back', async () => {
    const { db } = backends[kind][0]!;
    const log = createAuditLog(db);
    const before = (await log.list({ limit: 500 })).entries;
    // Someone with the database's own rights drops the guard and edits.
    if (kind === 'sqlite') await sql`DROP TRIGGER audit_log_no_update`.execute(db);
    else await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(db);
    await db.updateTable('audit_log').set({ principal: 'someone-else' }).where('id', '=', 12).execute();
    expect(chainProblem((await log.list({ limit: 500 })).entries)).toBe('entry 12 was changed: its fields do not give its hash');
    expect(chainProblem(before.filter((e) => e.id !== 20))).toBe('entry 20 is missing (the next is 21)');
    const forged = before.map((e) => (e.id === 5 ? { ...e, prevHash: before.find((x) => x.id === 3)!.hash } : e));
    expect(chainProblem(forged)).toMatch(/^entry 5 does not follow entry 4/);
  });
});
