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
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.future.push(current);
    this.lastKey = undefined;
    return previous;
  }

  redo(current: T): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(current);
    this.lastKey = undefined;
    return next;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}
