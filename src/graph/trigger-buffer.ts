/**
 * Debounce and batch on webhook triggers (`data.debounce`, `data.batch`):
 * deliveries of one key are held in a window by one workflow per (project,
 * workflow, trigger, key value) (workflows/trigger-buffer-workflow.ts), and
 * the window becomes one run when it closes:
 *
 * - debounce: a window closes `period` after its last delivery (or `maxWait`
 *   after its first); the run gets the last delivery, as a single delivery's
 *   run would;
 * - batch: a window closes at `maxSize` deliveries, `timeout` after its first,
 *   or before a delivery would take its items past MAX_BATCH_BYTES; the run's
 *   input is `{ items: [...] }`, each item as a single delivery's run would
 *   see its input.
 *
 * Every delivery learns at once the id of the run it joined. Pure.
 */
import type { WebhookRequest } from './run-state';
import { webhookInput } from './run-state';
import { utf8Length } from './json';

export const BUFFER_WORKFLOW_TYPE = 'braidTriggerBuffer';
/** The buffer workflow's update that takes a delivery. */
export const DELIVER_UPDATE = 'deliver';
/** A batch's items, in bytes of JSON, at most (Temporal's payload limit is 2 MiB). */
export const MAX_BATCH_BYTES = 1024 * 1024;

export type BufferMode = 'debounce' | 'batch';

export interface BufferPolicy {
  mode: BufferMode;
  /** Debounce: the quiet period; batch: the timeout from the first delivery. */
  periodMs: number;
  /** Debounce: the longest a window stays open from its first delivery. */
  maxWaitMs?: number;
  /** Batch: deliveries per run. */
  maxSize?: number;
}

export interface Delivery {
  body: unknown;
  request: WebhookRequest;
  /** The saved version the delivery was verified against (the run starts the last one's). */
  version: string;
  /** The delivery's Idempotency-Key (or the scheme's delivery id): a retry joins the same run once. */
  deliveryKey?: string;
}

/** What the buffer workflow asks the worker to start when a window closes. */
export interface BufferedRunStart {
  /** The run's id inside its project. */
  runId: string;
  workflow: string;
  version: string;
  trigger: string;
  mode: BufferMode;
  input: unknown;
  /** Debounce: the last delivery's request (headers, query). */
  request?: WebhookRequest;
  deliveries: number;
}

interface Window {
  runId: string;
  firstAt: number;
  lastAt: number;
  version: string;
  deliveries: number;
  keys: string[];
  /** Debounce: the last delivery. */
  last?: { body: unknown; request: WebhookRequest };
  /** Batch: the items and their size. */
  items: unknown[];
  bytes: number;
}

export interface BufferBookState {
  window?: Window;
  closing: Window[];
}

export class BufferBook {
  private readonly s: BufferBookState;

  constructor(
    public policy: BufferPolicy,
    state?: BufferBookState,
  ) {
    this.s = state ?? { closing: [] };
  }

  get state(): BufferBookState {
    return this.s;
  }

  get idle(): boolean {
    return this.s.window === undefined && this.s.closing.length === 0;
  }

  /** Takes a delivery into the open window (opening one with `newRunId()`); the run it joined. */
  deliver(d: Delivery, now: number, newRunId: () => string): { runId: string; deliveries: number } {
    const open = this.s.window;
    if (open && d.deliveryKey !== undefined && open.keys.includes(d.deliveryKey)) return { runId: open.runId, deliveries: open.deliveries };
    const item = this.policy.mode === 'batch' ? webhookInput(d.body, d.request) : undefined;
    const itemBytes = item === undefined ? 0 : utf8Length(JSON.stringify(item)) + 1;
    // A batch that this item would take past its size closes first; the item opens the next one.
    if (open && this.policy.mode === 'batch' && open.bytes + itemBytes > MAX_BATCH_BYTES) this.closeOpen();
    const w = (this.s.window ??= { runId: newRunId(), firstAt: now, lastAt: now, version: d.version, deliveries: 0, keys: [], items: [], bytes: 2 });
    w.lastAt = now;
    w.version = d.version;
    w.deliveries++;
    if (d.deliveryKey !== undefined) w.keys.push(d.deliveryKey);
    if (item === undefined) w.last = { body: d.body, request: d.request };
    else {
      w.items.push(item);
      w.bytes += itemBytes;
    }
    const joined = { runId: w.runId, deliveries: w.deliveries };
    if (this.policy.mode === 'batch' && w.items.length >= (this.policy.maxSize ?? Infinity)) this.closeOpen();
    return joined;
  }

  /** When the open window closes, or undefined when none is open. */
  dueAt(): number | undefined {
    const w = this.s.window;
    if (!w) return undefined;
    if (this.policy.mode === 'batch') return w.firstAt + this.policy.periodMs;
    const quiet = w.lastAt + this.policy.periodMs;
    return this.policy.maxWaitMs === undefined ? quiet : Math.min(quiet, w.firstAt + this.policy.maxWaitMs);
  }

  /** Closes the open window if it is due. */
  closeDue(now: number): void {
    const due = this.dueAt();
    if (due !== undefined && now >= due) this.closeOpen();
  }

  /** The next closed window's run, without taking it (the caller starts it, then calls `started`). */
  nextStart(workflow: string, trigger: string): BufferedRunStart | undefined {
    const w = this.s.closing[0];
    if (!w) return undefined;
    const base = { runId: w.runId, workflow, version: w.version, trigger, mode: this.policy.mode, deliveries: w.deliveries };
    return this.policy.mode === 'batch' ? { ...base, input: { items: w.items } } : { ...base, input: w.last!.body, request: w.last!.request };
  }

  started(): void {
    this.s.closing.shift();
  }

  private closeOpen(): void {
    if (this.s.window) this.s.closing.push(this.s.window);
    delete this.s.window;
  }
}
