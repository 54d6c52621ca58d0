/**
 * Admission: how many runs of a workflow may run at once for one key
 * (`settings.concurrency`) and how many may start per period
 * (`settings.rateLimit`). Each (project, workflow, kind, key value) has one
 * admission workflow (workflows/admission-workflow.ts), an entity that
 * holds the book below: who runs, who waits, when the last ones started.
 *
 * Pure: the entity workflow, the API and the unit tests import it.
 */
import type { GraphSettings } from './schema';
import { durationMs } from './duration';
import { compileExpression, ExpressionError, findExpressions, isExpression } from './expressions';
import { formatPath } from './json';
import type { ValidationIssue } from './validation-issues';
import { ISSUE_CODES } from './validation-issues';

export const ADMISSION_WORKFLOW_TYPE = 'braidAdmission';
/** The admission workflow's update that takes a run in (idempotent by run id). */
export const ADMIT_UPDATE = 'admit';
/** Sent by a run when it ends (or is canceled while queued): its slot is free. */
export const RELEASE_SIGNAL = 'release';
/** The admission workflow's query: a queued run's place (1 is next), or undefined. */
export const POSITION_QUERY = 'position';
/** Sent to a queued run when it may start. */
export const ADMITTED_SIGNAL = 'braid-admitted';

export type AdmissionKind = 'concurrency' | 'rate';
export type OnLimit = 'queue' | 'skip' | 'cancelOldest';
/** What the admission said: the run starts now, waits its turn, or is refused. */
export type Verdict = 'started' | 'queued' | 'refused';
/** braid_run_admissions_total's `outcome`. */
export type AdmissionOutcome = 'started' | 'queued' | 'skipped' | 'rate_limited';

/** One limit of a workflow, as its settings say. */
export interface AdmissionPolicy {
  kind: AdmissionKind;
  /** The key: an expression over `$input`, or a fixed text. */
  key: string;
  limit: number;
  /** Rate limits: the sliding window. */
  periodMs?: number;
  onLimit: OnLimit;
}

/** The limits of a workflow's settings, rate first (a run takes a start from the window before it waits for a slot). */
export function admissionPolicies(settings: Pick<GraphSettings, 'concurrency' | 'rateLimit'> | undefined): AdmissionPolicy[] {
  const out: AdmissionPolicy[] = [];
  const rate = settings?.rateLimit;
  if (rate) out.push({ kind: 'rate', key: rate.key, limit: rate.limit, periodMs: durationMs(rate.period), onLimit: rate.onLimit ?? 'queue' });
  const conc = settings?.concurrency;
  if (conc) out.push({ kind: 'concurrency', key: conc.key, limit: conc.limit, onLimit: conc.onLimit ?? 'queue' });
  return out;
}

/** One limit's verdict for a run, as the run carries it. */
export interface Admission {
  kind: AdmissionKind;
  /** The admission workflow's id. */
  entity: string;
  /** The key's value. */
  key: string;
  verdict: Verdict;
  /** Queued: its place, 1 next. */
  position?: number;
  /** Refused: a run that holds the key now (what a webhook's delivery duplicates). */
  holder?: string;
  /** Whether this call took the run in (false: it was known, the answer is its standing). */
  first: boolean;
  outcome: AdmissionOutcome;
}

/** Longest key value (after evaluation). */
export const MAX_KEY_LENGTH = 256;

/** A key's value as text: strings, numbers and booleans; anything else is refused with why. */
export function keyText(value: unknown): { ok: true; key: string } | { ok: false; why: string } {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const key = String(value);
    if (key.length > MAX_KEY_LENGTH) return { ok: false, why: `evaluated to ${key.length} characters; the limit is ${MAX_KEY_LENGTH}` };
    return { ok: true, key };
  }
  return {
    ok: false,
    why: `must evaluate to a string, number or boolean; got ${value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
  };
}

/**
 * A policy's key for a run's input (`$input`, as the run's trigger sees it):
 * the expression's value, or the key text itself when it is not an expression.
 */
export async function evaluateKey(policy: AdmissionPolicy, input: unknown): Promise<{ ok: true; key: string } | { ok: false; why: string }> {
  if (!isExpression(policy.key)) return keyText(policy.key);
  try {
    return keyText(await compileExpression(policy.key).evaluate({ input }));
  } catch (err) {
    return { ok: false, why: err instanceof ExpressionError ? err.message : String(err) };
  }
}

/** The keys of `settings.concurrency` and `settings.rateLimit` compile (they are evaluated when a run is admitted). */
export function admissionKeyIssues(settings: GraphSettings): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const field of ['concurrency', 'rateLimit'] as const) {
    for (const found of findExpressions(settings[field]?.key ?? '')) {
      try {
        compileExpression(found.text);
      } catch (err) {
        const message = err instanceof ExpressionError ? err.message : String(err);
        issues.push({ code: ISSUE_CODES.invalidExpression, path: formatPath(['settings', field, 'key']), message: `expression does not compile: ${message}` });
      }
    }
  }
  return issues;
}

/** Where a policy sits in the settings, for error paths. */
export function policyField(kind: AdmissionKind): 'concurrency' | 'rateLimit' {
  return kind === 'rate' ? 'rateLimit' : 'concurrency';
}

interface Entry {
  runId: string;
  /** When it was taken in (ms). */
  at: number;
}

/** The book's state, carried through continue-as-new. */
export interface AdmissionBookState {
  running: Entry[];
  queue: Entry[];
  /** Rate: start times in the window (ms), oldest first. */
  starts: number[];
  /** Runs asked to stop by `cancelOldest`. */
  canceling: string[];
  /** Runs granted lately (rate), so a second ask answers `started`. */
  recent: string[];
}

const RECENT_KEPT = 1_000;

/** Who runs and who waits for one key; the entity applies the policy its latest caller sent. */
export class AdmissionBook {
  private readonly s: AdmissionBookState;

  constructor(
    public policy: AdmissionPolicy,
    state?: AdmissionBookState,
  ) {
    this.s = state ?? { running: [], queue: [], starts: [], canceling: [], recent: [] };
  }

  get state(): AdmissionBookState {
    return this.s;
  }

  get queued(): number {
    return this.s.queue.length;
  }

  /** No run holds or waits, and (rate) the window is empty: the entity may end. */
  idle(now: number): boolean {
    this.slide(now);
    return this.s.running.length === 0 && this.s.queue.length === 0 && this.s.starts.length === 0;
  }

  position(runId: string): number | undefined {
    const i = this.s.queue.findIndex((e) => e.runId === runId);
    return i < 0 ? undefined : i + 1;
  }

  /** Takes a run in; a run known already gets its standing. `cancel` lists runs to stop (cancelOldest). */
  admit(runId: string, now: number): { verdict: Verdict; position?: number; holder?: string; first: boolean; cancel: string[] } {
    this.slide(now);
    if (this.s.running.some((e) => e.runId === runId) || this.s.recent.includes(runId)) return { verdict: 'started', first: false, cancel: [] };
    const known = this.position(runId);
    if (known !== undefined) return { verdict: 'queued', position: known, first: false, cancel: [] };
    if (this.s.queue.length === 0 && this.hasRoom()) {
      this.take({ runId, at: now }, now);
      return { verdict: 'started', first: true, cancel: [] };
    }
    if (this.policy.onLimit === 'skip') {
      const holder = this.s.running[0]?.runId ?? this.s.recent[this.s.recent.length - 1];
      return { verdict: 'refused', first: true, cancel: [], ...(holder ? { holder } : {}) };
    }
    const cancel = this.policy.onLimit === 'cancelOldest' ? this.victims() : [];
    this.s.queue.push({ runId, at: now });
    return { verdict: 'queued', position: this.s.queue.length, first: true, cancel };
  }

  /** A run ended or left the queue. True when the book knew it. */
  release(runId: string): boolean {
    const before = this.s.running.length + this.s.queue.length;
    this.s.running = this.s.running.filter((e) => e.runId !== runId);
    this.s.queue = this.s.queue.filter((e) => e.runId !== runId);
    this.s.canceling = this.s.canceling.filter((id) => id !== runId);
    return this.s.running.length + this.s.queue.length < before;
  }

  /** Queued runs that may start now, in order (taken in as they go). */
  grant(now: number): string[] {
    this.slide(now);
    const granted: string[] = [];
    while (this.s.queue.length > 0 && this.hasRoom()) {
      const next = this.s.queue.shift()!;
      this.take(next, now);
      granted.push(next.runId);
    }
    return granted;
  }

  /** When the window next has room for a waiting run (rate), or undefined. */
  wakeAt(now: number): number | undefined {
    if (this.policy.kind !== 'rate') return undefined;
    this.slide(now);
    if (this.s.starts.length === 0) return undefined;
    if (this.s.queue.length > 0 && this.s.starts.length >= this.policy.limit)
      return this.s.starts[this.s.starts.length - this.policy.limit]! + this.policy.periodMs!;
    // Nobody waits: the window empties at its last start's end (then the entity may end).
    return this.s.starts[this.s.starts.length - 1]! + this.policy.periodMs!;
  }

  /** Whether the run holds a slot (concurrency) or was let in lately (rate). */
  holds(runId: string): boolean {
    return this.s.running.some((e) => e.runId === runId) || this.s.recent.includes(runId);
  }

  /** Runs held (concurrency) taken in before `before`, for the entity to check they still run. */
  heldSince(before: number): string[] {
    return this.s.running.filter((e) => e.at < before).map((e) => e.runId);
  }

  private hasRoom(): boolean {
    if (this.policy.kind === 'rate') return this.s.starts.length < this.policy.limit;
    return this.s.running.length < this.policy.limit;
  }

  private take(entry: Entry, now: number): void {
    if (this.policy.kind === 'rate') {
      this.s.starts.push(now);
      this.s.recent.push(entry.runId);
      if (this.s.recent.length > RECENT_KEPT) this.s.recent.splice(0, this.s.recent.length - RECENT_KEPT);
    } else {
      this.s.running.push({ runId: entry.runId, at: now });
    }
  }

  /** cancelOldest: the oldest run not yet asked to stop (a running one, else a waiting one, which leaves the queue). */
  private victims(): string[] {
    const running = this.s.running.find((e) => !this.s.canceling.includes(e.runId));
    if (running) {
      this.s.canceling.push(running.runId);
      return [running.runId];
    }
    const waiting = this.s.queue.shift();
    return waiting ? [waiting.runId] : [];
  }

  private slide(now: number): void {
    if (this.policy.kind !== 'rate') return;
    const since = now - this.policy.periodMs!;
    while (this.s.starts.length > 0 && this.s.starts[0]! <= since) this.s.starts.shift();
  }
}
