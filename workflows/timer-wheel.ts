/**
 * Delay nodes share one durable timer. Each waiter has a deadline; the wheel
 * keeps a single Temporal timer armed for the earliest one and, when it fires,
 * releases every waiter due by then and arms the next. However many delays run
 * in parallel, the run has at most one timer pending, so their firings can
 * never pile up into more buffered events than Temporal lets a workflow task
 * absorb (`history.maximumBufferedEventsBatch`, 100 by default).
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

interface Waiter {
  deadline: number;
  resolve: () => void;
}

export class TimerWheel {
  private readonly waiters = new Set<Waiter>();
  private armed?: { deadline: number; scope: CancellationScope };

  /** `root`: the scope timers live in (not a node's, which may be canceled alone). */
  constructor(private readonly root: CancellationScope) {}

  /** Resolves `ms` from now (workflow time); rejects when the caller's scope is canceled. */
  wait(ms: number): Promise<void> {
    const caller = CancellationScope.current();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { deadline: Date.now() + ms, resolve };
      this.waiters.add(waiter);
      caller.cancelRequested.catch((err: unknown) => {
        if (!this.waiters.delete(waiter)) return;
        reject(err);
        this.rearm();
      });
      this.rearm();
    });
  }

  private rearm(): void {
    let earliest = Infinity;
    for (const w of this.waiters) earliest = Math.min(earliest, w.deadline);
    if (earliest === Infinity) {
      this.armed?.scope.cancel();
      this.armed = undefined;
      return;
    }
    // An armed timer that fires early is harmless (it re-arms); one that fires late is not.
    if (this.armed && this.armed.deadline <= earliest) return;
    this.armed?.scope.cancel();
    const scope = new CancellationScope({ cancellable: true, parent: this.root });
    const armed = { deadline: earliest, scope };
    this.armed = armed;
    scope
      .run(() => sleep(Math.max(1, earliest - Date.now())))
      .then(
        () => {
          if (this.armed === armed) this.armed = undefined;
          // A timer fires at or after its deadline: release everyone due by now.
          const due = Math.max(armed.deadline, Date.now());
          for (const w of [...this.waiters]) {
            if (w.deadline <= due) {
              this.waiters.delete(w);
              w.resolve();
            }
          }
          this.rearm();
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }
}
