/**
 * The bookkeeping both batch workflows share: `total` jobs, at most `width`
 * of them running at once, started in order, and stopped as a whole (which
 * cancels the scope they run in). Each workflow keeps its own loop (when it
 * waits, what it reports); this only says what may start. Deterministic.
 */
export class SlidingWindow {
  /** The next job to start. */
  next = 0;
  running = 0;
  stopped = false;

  constructor(
    readonly total: number,
    readonly width: number,
    private readonly scope: { cancel(): void },
  ) {}

  /** Jobs are left to start (the window was not stopped). */
  get more(): boolean {
    return !this.stopped && this.next < this.total;
  }

  /** A job may start now. */
  get hasRoom(): boolean {
    return this.more && this.running < this.width;
  }

  get idle(): boolean {
    return this.running === 0;
  }

  /** Starts jobs in order while there is room; each calls `ended()` once it settles. */
  fill(start: (index: number) => void): void {
    while (this.hasRoom) {
      this.running++;
      start(this.next++);
    }
  }

  ended(): void {
    this.running--;
  }

  /** Starts nothing more and cancels what runs. */
  stop(): void {
    this.stopped = true;
    this.scope.cancel();
  }
}
