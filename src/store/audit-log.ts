/**
 * The audit log in Braid's database (SQLite or PostgreSQL): who changed or
 * decided what, when, in which project, by which request. Append-only (the
 * table refuses UPDATE and DELETE by trigger, migration 0007) and chained by
 * hash (src/audit/chain.ts): an append reads the last entry, links to it and
 * takes the next id, trying again when another replica took that id first,
 * so every API replica writes one chain with no gap.
 */
import type { Kysely } from 'kysely';
import type { AuditAction, AuditEntry } from '../audit/chain';
import { entryHash } from '../audit/chain';
import type { AuditLogTable, Database } from './tables';

/** What a caller records; the log adds the id, the time and the chain. */
export interface AuditRecord {
  principal: string;
  project: string;
  action: AuditAction;
  target: string;
  requestId?: string;
}

export interface AuditQuery {
  project?: string;
  action?: string;
  principal?: string;
  /** ISO times: entries at or after / before them. */
  after?: string;
  before?: string;
  limit: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<AuditEntry>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditPage>;
}

function toEntry(r: AuditLogTable): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at,
    principal: r.principal,
    project: r.project,
    action: r.action as AuditAction,
    target: r.target,
    requestId: r.request_id,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

const encodeCursor = (id: number) => Buffer.from(`a${id}`).toString('base64url');
function decodeCursor(cursor: string): number | undefined {
  const m = /^a(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

export class BadAuditCursor extends Error {
  override readonly name = 'BadAuditCursor';
}

/** How often an append tries again when another replica took the id it chose. */
const APPEND_TRIES = 100;

export function createAuditLog(dbOrPromise: Kysely<Database> | Promise<Kysely<Database>>, now: () => Date = () => new Date()): AuditLog {
  /** Links to the last entry and inserts; false when another replica appended in between (its id is taken). */
  async function tryAppend(db: Kysely<Database>, record: AuditRecord): Promise<AuditEntry | undefined> {
    const last = await db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const fields = {
      id: last ? Number(last.id) + 1 : 1,
      at: now().toISOString(),
      principal: record.principal,
      project: record.project,
      action: record.action,
      target: record.target,
      requestId: record.requestId ?? null,
      prevHash: last?.hash ?? null,
    };
    const entry: AuditEntry = { ...fields, hash: entryHash(fields) };
    const result = await db
      .insertInto('audit_log')
      .values({
        id: entry.id,
        at: entry.at,
        principal: entry.principal,
        project: entry.project,
        action: entry.action,
        target: entry.target,
        request_id: entry.requestId,
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1 ? entry : undefined;
  }

  return {
    async append(record) {
      const db = await dbOrPromise;
      // One chain for every replica: an append links to the last entry and takes the next id, or tries again if another took it.
      for (let i = 0; i < APPEND_TRIES; i++) {
        const entry = await tryAppend(db, record);
        if (entry) return entry;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
      }
      throw new Error(`could not append to the audit log after ${APPEND_TRIES} tries: other appends kept taking the next id`);
    },

    async list(q) {
      const db = await dbOrPromise;
      const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && beforeId === undefined) throw new BadAuditCursor('cursor is not one this API gave');
      let query = db.selectFrom('audit_log').selectAll();
      if (q.project !== undefined) query = query.where('project', '=', q.project);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      if (q.principal !== undefined) query = query.where('principal', '=', q.principal);
      if (q.after !== undefined) query = query.where('at', '>=', q.after);
      if (q.before !== undefined) query = query.where('at', '<', q.before);
      if (beforeId !== undefined) query = query.where('id', '<', beforeId);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(q.limit + 1)
        .execute();
      const entries = rows.slice(0, q.limit).map(toEntry);
      return { entries, nextCursor: rows.length > q.limit ? encodeCursor(entries.at(-1)!.id) : null };
    },
  };
}
