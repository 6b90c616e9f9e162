import type pino from 'pino';
import type { IngestionMetrics } from './ingestion-metrics';
import { jittered, nextDelay, type StopSignal } from './stop-signal';

export interface WriteRetryOptions {
  retryInitialMs: number;
  retryMaxMs: number;
  logger: pino.Logger;
  metrics?: IngestionMetrics;
  stop: StopSignal;
}

/** What the retry does to the Kafka side while PostgreSQL is unavailable. */
export interface RetryHooks {
  /** Stop fetching (called once, at the first failure). */
  pause(): void;
  /** Fetch again (called once the write succeeded or was given up, if paused). */
  resume(): void;
  /** Keeps the group membership; throws when a rebalance started. */
  heartbeat(): Promise<void>;
}

/**
 * Database write retry: a failing write is retried with exponential backoff and full jitter while
 * consumption is paused, `retrying` is true (readiness) and `reelwatch_ingestion_db_retrying` is 1;
 * nothing is committed anywhere until it succeeds. Given up (undefined) on stop, or on a rebalance:
 * the batch's new owner (maybe us) re-reads it.
 */
export class WriteRetry {
  private active = false;

  constructor(private readonly o: WriteRetryOptions) {}

  /** True while a write is failing and being retried. */
  get retrying(): boolean {
    return this.active;
  }

  async run<T>(attempt: () => Promise<T>, hooks: RetryHooks): Promise<T | undefined> {
    let delay = this.o.retryInitialMs;
    let paused = false;
    try {
      for (;;) {
        try {
          return await attempt();
        } catch (err) {
          if (this.o.stop.stopped) return undefined;
          this.o.metrics?.dbRetries.inc();
          if (!this.active) {
            this.active = true;
            this.o.metrics?.dbRetrying.set(1);
            this.o.logger.error({ err }, 'batch transaction failed; pausing and retrying');
          }
          if (!paused) {
            hooks.pause();
            paused = true;
          }
          await this.o.stop.sleep(jittered(delay));
          delay = nextDelay(delay, this.o.retryMaxMs);
          if (this.o.stop.stopped) return undefined;
          try {
            await hooks.heartbeat();
          } catch (err) {
            this.o.logger.warn({ err }, 'rebalance while retrying; abandoning the batch');
            return undefined;
          }
        }
      }
    } finally {
      if (paused) hooks.resume();
      if (this.active) {
        this.active = false;
        this.o.metrics?.dbRetrying.set(0);
        this.o.logger.info('PostgreSQL available again; consumption resumed');
      }
    }
  }
}
