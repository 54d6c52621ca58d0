/**
 * The audit log's hash chain, pure: what an entry's hash covers, and the
 * check `braid audit verify` runs. Every entry carries the hash of the one
 * before it (`prevHash`; null for the first), and its own hash covers its
 * fields and that link, so an entry edited, removed or inserted anywhere
 * breaks the chain from there on. Anyone can recompute it: the hash is the
 * sha256 (hex) of the JSON array
 * `[id, at, principal, project, action, target, requestId, prevHash]`.
 */
import { createHash } from 'node:crypto';

/** What is audited: a change or a decision (issue 36's contract). */
export const AUDIT_ACTIONS = [
  'project.create',
  'member.add',
  'member.remove',
  'key.create',
  'key.revoke',
  'workflow.save',
  'workflow.delete',
  'schedule.change',
  'credential.create',
  'credential.rotate',
  'credential.delete',
  'run.start',
  'run.cancel',
  'run.pause',
  'run.resume',
  'run.redrive',
  'approval.decide',
  'bulk.start',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One entry, as stored and as `GET /v1/audit` answers it. */
export interface AuditEntry {
  /** 1, 2, 3, …: the entry's place in the chain. */
  id: number;
  /** ISO 8601, UTC. */
  at: string;
  principal: string;
  project: string;
  action: AuditAction;
  /** What the action was on: a run id, a workflow name, `<workflow>/<trigger>` for a schedule, an operation id. */
  target: string;
  requestId: string | null;
  hash: string;
  prevHash: string | null;
}

export type AuditFields = Omit<AuditEntry, 'hash'>;

export function entryHash(e: AuditFields): string {
  return createHash('sha256')
    .update(JSON.stringify([e.id, e.at, e.principal, e.project, e.action, e.target, e.requestId, e.prevHash]))
    .digest('hex');
}

/** The first place the chain breaks, or undefined when every entry is in place; `entries` in any order. */
export function chainProblem(entries: readonly AuditEntry[]): string | undefined {
  const sorted = [...entries].sort((a, b) => a.id - b.id);
  let prev: AuditEntry | undefined;
  for (const e of sorted) {
    const expectedId = prev ? prev.id + 1 : 1;
    if (e.id !== expectedId) return `entry ${expectedId} is missing (the next is ${e.id})`;
    if (e.prevHash !== (prev?.hash ?? null)) return `entry ${e.id} does not follow entry ${prev?.id ?? 'none'}: its prevHash is ${e.prevHash ?? 'null'}`;
    if (entryHash(e) !== e.hash) return `entry ${e.id} was changed: its fields do not give its hash`;
    prev = e;
  }
  return undefined;
}
