import type { Pool, PoolClient } from 'pg';
import { emptyCounts, type PartitionBatch, type WriteResult } from './batch-types';
import { toDbError } from './errors';
import { planWrite, type StatementGuard, statementGuardOf } from './offset-guard';
import {
  statementParameters,
  WRITE_BATCH_SQL,
  WRITE_STATEMENT_NAME,
  type WritableAggregate,
  type WriteStatementRow,
} from './write-statement';

export interface BatchWriterOptions {
  pool: Pool;
  consumerGroup: string;
}

const SELECT_FOR_UPDATE = `SELECT partition, last_offset FROM ingestion_offsets
      WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::integer[]) ORDER BY partition FOR UPDATE`;
const CREATE_OFFSET_ROWS = `INSERT INTO ingestion_offsets (consumer_group, topic, partition, last_offset)
         SELECT $1, $2, p, -1 FROM unnest($3::integer[]) AS p ORDER BY p ON CONFLICT DO NOTHING`;

/**
 * Writes one partition's batch in ONE transaction: lock the partition's offset row, drop the
 * messages at or below the stored offset (a replay), aggregate the rest, upsert everything and
 * store the new offset. A crash anywhere leaves either all of it or none of it. What is applied is
 * decided by offset-guard.ts; what is written by the statement in write-statement.ts.
 */
export class BatchWriter {
  private readonly pool: Pool;
  private readonly group: string;

  constructor(options: BatchWriterOptions) {
    this.pool = options.pool;
    this.group = options.consumerGroup;
  }

  /** Stored last offsets for the given partitions (-1 where none is stored). */
  async storedOffsets(topic: string, partitions: number[]): Promise<Map<number, bigint>> {
    const result = new Map<number, bigint>(partitions.map((p) => [p, -1n]));
    try {
      const { rows } = await this.pool.query<{ partition: number; last_offset: string }>(
        'SELECT partition, last_offset FROM ingestion_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::integer[])',
        [this.group, topic, partitions],
      );
      for (const r of rows) result.set(r.partition, BigInt(r.last_offset));
    } catch (err) {
      throw toDbError(err, 'read stored offsets');
    }
    return result;
  }

  /** One partition's batch in one transaction (see writeMany). */
  async write(batch: PartitionBatch): Promise<WriteResult> {
    return this.writeMany([batch]);
  }

  /**
   * Several partitions' batches (one topic) in ONE transaction: group commit. Offset rows are
   * locked in partition order; each partition is filtered by its own stored offset; a partition
   * whose batch starts after stored offset + 1 is left out (reported in `partitions`).
   */
  async writeMany(batches: PartitionBatch[], preAggregated?: WritableAggregate): Promise<WriteResult> {
    const started = process.hrtime.bigint();
    const topic = batches[0]!.topic;
    if (batches.some((b) => b.topic !== topic)) throw new Error('writeMany: batches of one topic only');
    const guard = preAggregated && statementGuardOf(batches);
    if (preAggregated && guard) {
      const alone = await this.writeAlone(batches, preAggregated, guard, started);
      if (alone) return alone;
    }
    const what = `write batch ${topic}[${batches.map((b) => b.partition).join(',')}]`;
    return this.inTransaction(what, async (client) => {
      const partitionIds = [...new Set(batches.map((b) => b.partition))].sort((x, y) => x - y);
      const stored = await this.lockOffsets(client, topic, partitionIds);
      const { aggregate, newOffsets, result } = planWrite(batches, stored, preAggregated);
      if (newOffsets.size === 0) {
        await client.query('ROLLBACK');
      } else {
        const { rows } = await client.query<WriteStatementRow>({
          name: WRITE_STATEMENT_NAME,
          text: WRITE_BATCH_SQL,
          values: statementParameters(aggregate.parameters(), topic, this.group, newOffsets),
        });
        const row = rows[0]!;
        if (row.offsets_updated !== newOffsets.size)
          throw new Error('offset rows vanished inside the transaction');
        await client.query('COMMIT');
        result.newUsers = row.new_users;
        result.newMovies = row.new_movies;
        result.deadLetters = aggregate.deadLetterCounts;
      }
      // Single-partition view (write()).
      const only = result.partitions.get(batches[0]!.partition)!;
      result.lastOffset = only.lastOffset;
      if (only.gapResumeAt !== undefined) result.gapResumeAt = only.gapResumeAt;
      result.transactionSeconds = secondsSince(started);
      return result;
    });
  }

  /** Runs `body` between BEGIN and its own COMMIT/ROLLBACK; rolls back and throws a DbError on failure. */
  private async inTransaction<T>(what: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toDbError(err, 'connect');
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      return await body(client);
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw toDbError(err, what);
    } finally {
      // A client whose connection failed must not go back into the pool.
      client.release(broken);
    }
  }

  /**
   * The common case in ONE round trip: the batches continue each other, and the statement runs
   * alone (its own transaction) with the guard inside it — it locks the partitions' offset rows
   * and writes only if each still holds the offset just before the batches. Returns undefined
   * when the guard refused (nothing was written): the caller then takes the message-by-message path.
   */
  private async writeAlone(
    batches: PartitionBatch[],
    aggregate: WritableAggregate,
    guard: StatementGuard,
    started: bigint,
  ): Promise<WriteResult | undefined> {
    const topic = batches[0]!.topic;
    const { partitions, last, applied } = guard;
    let rows: WriteStatementRow[];
    try {
      ({ rows } = await this.pool.query<WriteStatementRow>({
        name: WRITE_STATEMENT_NAME,
        text: WRITE_BATCH_SQL,
        values: statementParameters(aggregate.parameters(), topic, this.group, last, guard),
      }));
    } catch (err) {
      throw toDbError(err, `write batch ${topic}[${partitions.join(',')}]`);
    }
    const row = rows[0]!;
    if (!row.ok) return undefined;
    if (row.offsets_updated !== partitions.length)
      throw new Error('offset rows vanished inside the statement');
    const result: WriteResult = {
      applied: 0,
      duplicates: 0,
      appliedByType: {
        watch: aggregate.eventCounts.watch,
        rate: aggregate.eventCounts.rate,
        recommend: aggregate.eventCounts.recommend,
        malformed: aggregate.deadLetterTotal,
      },
      duplicatesByType: emptyCounts(),
      deadLetters: aggregate.deadLetterCounts,
      newUsers: row.new_users,
      newMovies: row.new_movies,
      lastOffset: last.get(batches[0]!.partition)!,
      transactionSeconds: 0,
      partitions: new Map(),
    };
    for (const p of partitions) {
      result.partitions.set(p, { lastOffset: last.get(p)!, applied: applied.get(p)! });
      result.applied += applied.get(p)!;
    }
    result.transactionSeconds = secondsSince(started);
    return result;
  }

  private async lockOffsets(
    client: PoolClient,
    topic: string,
    partitions: number[],
  ): Promise<Map<number, bigint>> {
    const params = [this.group, topic, partitions];
    const lock = { name: 'reelwatch_lock_offsets', text: SELECT_FOR_UPDATE, values: params };
    let { rows } = await client.query<{ partition: number; last_offset: string }>(lock);
    if (rows.length < partitions.length) {
      await client.query(CREATE_OFFSET_ROWS, params);
      ({ rows } = await client.query<{ partition: number; last_offset: string }>(lock));
    }
    return new Map(rows.map((r) => [r.partition, BigInt(r.last_offset)]));
  }
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
