import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WriteResult } from './batch-types';
import { DEAD_LETTER_REASONS, EVENT_TYPES } from './parse-event-line';

/** Where consumer lag comes from at scrape time (see IngestionConsumer.lag). */
export type LagSource = () => Promise<Array<{ topic: string; partition: number; lag: number }>>;

/**
 * Every metric the ingestion service exposes (names agreed in the brief). Lag is computed in
 * collect() at scrape time, never by a timer; label values are bounded (types, outcomes, reasons,
 * topic/partition), never user or movie ids.
 */
export class IngestionMetrics {
  readonly batchDuration: Histogram<never>;
  readonly events: Counter<'type' | 'outcome'>;
  readonly newUsers: Counter<never>;
  readonly newMovies: Counter<never>;
  readonly batchSize: Histogram<never>;
  readonly transactionDuration: Histogram<never>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly rebalances: Counter<never>;
  readonly consumerCrashes: Counter<never>;
  readonly lastBatchTimestamp: Gauge<never>;
  readonly deadLetters: Counter<'reason'>;
  readonly dbRetrying: Gauge<never>;
  readonly dbRetries: Counter<never>;
  readonly skippedOffsets: Counter<'topic' | 'partition'>;
  private lagSource: LagSource | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.batchDuration = new Histogram({
      name: 'reelwatch_ingestion_batch_duration_seconds',
      help: 'Time to process one polled batch of records: parse, aggregate, write the transaction, commit.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.events = new Counter({
      name: 'reelwatch_ingestion_events_total',
      help: 'Consumed events by type (watch, rate, recommend, malformed) and outcome (applied, duplicate, dead_letter).',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.newUsers = new Counter({
      name: 'reelwatch_ingestion_new_users_total',
      help: 'Users seen for the first time (rows inserted into users).',
      registers,
    });
    this.newMovies = new Counter({
      name: 'reelwatch_ingestion_new_movies_total',
      help: 'Movies seen for the first time (rows inserted into movies).',
      registers,
    });
    this.batchSize = new Histogram({
      name: 'reelwatch_ingestion_batch_size_events',
      help: 'Records per polled batch.',
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000],
      registers,
    });
    this.transactionDuration = new Histogram({
      name: 'reelwatch_ingestion_db_transaction_duration_seconds',
      help: 'Duration of one batch transaction in PostgreSQL (BEGIN to COMMIT).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const metrics = this;
    this.consumerLag = new Gauge({
      name: 'reelwatch_ingestion_consumer_lag_messages',
      help: 'Messages in each assigned partition beyond the last applied offset (high watermark - position), computed at scrape.',
      labelNames: ['topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        if (!metrics.lagSource) return;
        try {
          for (const { topic, partition, lag } of await metrics.lagSource()) {
            this.set({ topic, partition: String(partition) }, lag);
          }
        } catch {
          // A failing lag lookup must not fail the scrape: the series is simply absent this time.
        }
      },
    });
    this.rebalances = new Counter({
      name: 'reelwatch_ingestion_rebalances_total',
      help: 'Consumer group joins (each rebalance this member took part in).',
      registers,
    });
    this.consumerCrashes = new Counter({
      name: 'reelwatch_ingestion_consumer_crashes_total',
      help: 'Kafka consumer crashes (the consumer is restarted or recreated after each).',
      registers,
    });
    this.lastBatchTimestamp = new Gauge({
      name: 'reelwatch_ingestion_last_batch_timestamp_seconds',
      help: 'Unix time of the last batch committed to PostgreSQL.',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'reelwatch_ingestion_dead_letters_total',
      help: 'Lines written to the dead_letters table, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.dbRetrying = new Gauge({
      name: 'reelwatch_ingestion_db_retrying',
      help: '1 while consumption is paused because PostgreSQL is unavailable and the batch is being retried, else 0.',
      registers,
    });
    this.dbRetries = new Counter({
      name: 'reelwatch_ingestion_db_retries_total',
      help: 'Batch transaction attempts that failed and were retried.',
      registers,
    });
    this.skippedOffsets = new Counter({
      name: 'reelwatch_ingestion_skipped_offsets_total',
      help: 'Messages deleted by the broker (retention) before ingestion read them: offsets skipped, data lost before it was read.',
      labelNames: ['topic', 'partition'],
      registers,
    });
    // Known label combinations start at 0 so rate() and absent() behave from the first scrape.
    for (const type of [...EVENT_TYPES]) {
      for (const outcome of ['applied', 'duplicate']) this.events.inc({ type, outcome }, 0);
    }
    this.events.inc({ type: 'malformed', outcome: 'dead_letter' }, 0);
    this.events.inc({ type: 'malformed', outcome: 'duplicate' }, 0);
    for (const reason of DEAD_LETTER_REASONS) this.deadLetters.inc({ reason }, 0);
    this.dbRetrying.set(0);
  }

  /** Every assigned partition's skipped-offsets series exists from its assignment on, at 0, so increase() sees the first skip. */
  partitionsAssigned(topic: string, partitions: readonly number[]): void {
    for (const partition of partitions) this.skippedOffsets.inc({ topic, partition: String(partition) }, 0);
  }

  setLagSource(source: LagSource | undefined): void {
    this.lagSource = source;
  }

  /** Counts what one transaction applied; `polled` are the batches it wrote (empty for a retry of some). */
  recordWrite(result: WriteResult, polled: ReadonlyArray<{ count: number; started: bigint }>): void {
    for (const [type, n] of Object.entries(result.appliedByType)) {
      if (n > 0) this.events.inc({ type, outcome: type === 'malformed' ? 'dead_letter' : 'applied' }, n);
    }
    for (const [type, n] of Object.entries(result.duplicatesByType)) {
      if (n > 0) this.events.inc({ type, outcome: 'duplicate' }, n);
    }
    for (const [reason, n] of result.deadLetters) this.deadLetters.inc({ reason }, n);
    if (result.newUsers > 0) this.newUsers.inc(result.newUsers);
    if (result.newMovies > 0) this.newMovies.inc(result.newMovies);
    this.transactionDuration.observe(result.transactionSeconds);
    const now = process.hrtime.bigint();
    for (const b of polled) {
      this.batchSize.observe(b.count);
      this.batchDuration.observe(Number(now - b.started) / 1e9);
    }
    if (result.applied > 0) this.lastBatchTimestamp.set(Date.now() / 1000);
  }
}
