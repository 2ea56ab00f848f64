/** Counts work in progress (timers, callbacks in flight) so `whenIdle` knows when nothing is left. */
export class WorkTracker {
  private pending = 0;
  private waiters: (() => void)[] = [];

  /** One more piece of work began. */
  start(): void {
    this.pending++;
  }

  /** One piece of work ended. */
  end(): void {
    // Work in flight when the mock closed (and drained) ends later: never count below zero.
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.wake();
  }

  /** Forgets all pending work (the mock closed) and wakes every waiter. */
  drain(): void {
    this.pending = 0;
    this.wake();
  }

  /** Resolves when no work is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
