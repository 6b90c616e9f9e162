/**
 * The consumer's stop, shared by its parts: `stopped` turns true once, and every sleep in progress
 * (a backoff, a linger) ends at once so that stop() never waits out a delay.
 */
export class StopSignal {
  private waiters: Array<() => void> = [];
  private done = false;

  get stopped(): boolean {
    return this.done;
  }

  stop(): void {
    this.done = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Sleeps `ms`, cut short by stop() or by the wake function handed to `onWake`. */
  sleep(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, this.done ? 0 : ms);
      this.waiters.push(done);
      onWake?.(done);
    });
  }
}

/** Exponential backoff with full jitter: uniform in [delay/2, delay]. */
export function jittered(delay: number): number {
  return delay / 2 + Math.random() * (delay / 2);
}

/** The next backoff delay: doubled, at most `max`. */
export function nextDelay(delay: number, max: number): number {
  return Math.min(delay * 2, max);
}
