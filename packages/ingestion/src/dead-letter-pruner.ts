import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** Why a dead letter was pruned: older than the retention, or beyond the newest `maxRows`. */
export type PruneLimit = 'age' | 'rows';

export interface DeadLetterPrunerOptions {
  pool: Pool;
  logger: Logger;
  registry: Registry;
  /** Rows received more than this many days ago are deleted; 0 keeps them whatever their age. */
  retentionDays: number;
  /** Only the newest this many rows are kept; 0 sets no row limit. */
  maxRows: number;
  /** Rows deleted per statement: each DELETE is short and locks only its own rows. */
  batchSize: number;
  /** Time between the end of one pruning round and the start of the next. */
  intervalMs: number;
}

// Each batch skips rows another pruner (a second ingestion member) holds, so two members never
// wait for each other, and the inserts of ingestion (new ids) never touch the rows being deleted.
const PRUNE_BY_AGE_SQL = `
DELETE FROM dead_letters WHERE id IN (
  SELECT id FROM dead_letters
  WHERE received_at < now() - make_interval(days => $1::integer)
  ORDER BY received_at LIMIT $2::integer FOR UPDATE SKIP LOCKED)`;
// The newest maxRows rows by id (ids grow with insertion): the id just below them, read from the
// primary key index.
const ROWS_CUTOFF_SQL = 'SELECT id FROM dead_letters ORDER BY id DESC OFFSET $1::bigint LIMIT 1';
const PRUNE_BY_ID_SQL = `
DELETE FROM dead_letters WHERE id IN (
  SELECT id FROM dead_letters WHERE id <= $1::bigint
  ORDER BY id LIMIT $2::integer FOR UPDATE SKIP LOCKED)`;

/**
 * Bounds the dead_letters table: every `intervalMs`, deletes the rows older than the retention and
 * those beyond the newest `maxRows`, in batches of `batchSize` (one short autocommit statement
 * each, so ingestion's writes are never held up), and counts them in
 * `reelwatch_ingestion_dead_letters_pruned_total{limit}`. A failed round is logged and retried
 * at the next interval: pruning never stops the service.
 */
export class DeadLetterPruner {
  private readonly pruned: Counter<'limit'>;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: DeadLetterPrunerOptions) {
    this.pruned = new Counter({
      name: 'reelwatch_ingestion_dead_letters_pruned_total',
      help: 'Dead letters deleted by the retention: limit="age" (older than INGESTION_DEAD_LETTER_RETENTION_DAYS) or "rows" (beyond INGESTION_DEAD_LETTER_MAX_ROWS).',
      labelNames: ['limit'],
      registers: [options.registry],
    });
    for (const limit of ['age', 'rows'] as const) this.pruned.inc({ limit }, 0);
  }

  get enabled(): boolean {
    return this.options.retentionDays > 0 || this.options.maxRows > 0;
  }

  /** Schedules the rounds (the first one after one interval); nothing when no limit is set. */
  start(): void {
    if (!this.enabled || this.stopping) return;
    this.timer = setTimeout(() => {
      this.round = this.pruneOnce()
        .then(() => undefined)
        .catch((err) =>
          this.options.logger.warn({ err }, 'pruning dead letters failed; retrying next interval'),
        )
        .finally(() => {
          this.round = undefined;
          this.start();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops scheduling; the batch in progress finishes, the round ends after it. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: both limits, batch by batch, until nothing is left beyond them. */
  async pruneOnce(): Promise<Record<PruneLimit, number>> {
    const { pool, retentionDays, maxRows, batchSize } = this.options;
    const done: Record<PruneLimit, number> = { age: 0, rows: 0 };
    if (retentionDays > 0) {
      done.age = await this.deleteInBatches('age', PRUNE_BY_AGE_SQL, [retentionDays, batchSize]);
    }
    if (maxRows > 0) {
      const cutoff = await pool.query<{ id: string }>(ROWS_CUTOFF_SQL, [maxRows]);
      const id = cutoff.rows[0]?.id;
      if (id !== undefined) done.rows = await this.deleteInBatches('rows', PRUNE_BY_ID_SQL, [id, batchSize]);
    }
    if (done.age + done.rows > 0) this.options.logger.info({ pruned: done }, 'dead letters pruned');
    return done;
  }

  private async deleteInBatches(limit: PruneLimit, sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.options.pool.query(sql, params);
      const n = rowCount ?? 0;
      total += n;
      if (n > 0) this.pruned.inc({ limit }, n);
      // A short batch means the rest is gone or held by another pruner, which deletes it.
      if (n < this.options.batchSize || this.stopping) return total;
    }
  }
}
