/**
 * Undo and redo over whole documents (they are small and immutable, so a
 * snapshot is a pointer). Edits to one field in quick succession are one
 * step, as in a text editor.
 */
const LIMIT = 200;
const COALESCE_MS = 1_000;

export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | undefined;
  private lastAt = 0;

  /** Keeps `current` as the state to return to; a `key` equal to the last one within a second joins that step. */
  record(current: T, key?: string, now = Date.now()): void {
    const joins = key !== undefined && key === this.lastKey && now - this.lastAt < COALESCE_MS;
    this.lastKey = key;
    this.lastAt = now;
    if (joins) return;
    this.past.push(current);
    if (this.past.length > LIMIT) this.past.shift();
    this.future = [];
  }

  undo(current: T): T | undefined {
    return this.move(this.past, this.future, current);
  }

  redo(current: T): T | undefined {
    return this.move(this.future, this.past, current);
  }

  /** Takes the state on top of `from`, leaving `current` on `to`; a step after it starts afresh. */
  private move(from: T[], to: T[], current: T): T | undefined {
    const state = from.pop();
    if (state === undefined) return undefined;
    to.push(current);
    this.lastKey = undefined;
    return state;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}
