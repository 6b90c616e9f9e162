import type { Pool, PoolClient } from 'pg';
import { BatchAggregator, type WritableAggregate } from './batch-aggregator';
import { toDbError } from './errors';
import type { EventType, ParseResult } from './parse-event-line';

/** One consumed message, already parsed (parsing happens outside the transaction). */
export interface ParsedMessage {
  offset: string;
  rawText: string;
  parsed: ParseResult;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: ParsedMessage[];
  /**
   * The batch may start after stored offset + 1 without being treated as a gap: set when the
   * broker no longer has the missing offsets (retention), so skipping them is the only option.
   */
  acceptGap?: boolean;
  /**
   * First and last offset and the message count, when the batch knows them without building
   * `messages` (PackedBatch); otherwise they are read from `messages`.
   */
  readonly span?: { first: bigint; last: bigint; count: number };
}

/** First and last offset and count of a batch, or undefined for an empty one. */
function spanOf(b: PartitionBatch): { first: bigint; last: bigint; count: number } | undefined {
  if (b.span) return b.span;
  const n = b.messages.length;
  if (n === 0) return undefined;
  return { first: BigInt(b.messages[0]!.offset), last: BigInt(b.messages[n - 1]!.offset), count: n };
}

export interface WriteResult {
  /** Messages applied in this transaction (events and dead letters). */
  applied: number;
  /** Messages skipped because their offset was already applied (a replay). */
  duplicates: number;
  /** Per type counts of what was applied, dead letters as `malformed`. */
  appliedByType: Record<EventType | 'malformed', number>;
  duplicatesByType: Record<EventType | 'malformed', number>;
  deadLetters: ReadonlyMap<string, number>;
  newUsers: number;
  newMovies: number;
  /** Offset stored in the database after this call (-1: nothing ever applied). */
  lastOffset: bigint;
  /** Set when the batch starts after stored offset + 1: nothing written, the caller must seek here. */
  gapResumeAt?: bigint;
  /** Per partition of a writeMany: offset stored after the call, events applied, or the gap. */
  partitions: Map<number, { lastOffset: bigint; applied: number; gapResumeAt?: bigint }>;
  transactionSeconds: number;
}

const emptyCounts = (): Record<EventType | 'malformed', number> => ({
  watch: 0,
  rate: 0,
  recommend: 0,
  malformed: 0,
});
const typeOf = (m: ParsedMessage): EventType | 'malformed' =>
  m.parsed.ok ? m.parsed.event.type : 'malformed';

/**
 * One data-modifying statement writes every aggregate table, the dead letters and the offset:
 * one round trip per batch besides BEGIN, the offset lock and COMMIT. Every upsert combines the
 * same way the in-memory aggregator does, so batching changes nothing in the result.
 */
/**
 * Event times travel as epoch microseconds (bigint) and become timestamptz in SQL: exact (the
 * interval product of an integer below 2^53 is exact), and cheaper on both sides than ISO text
 * (no Date/toISOString per row in Node, no timestamptz_in per row in PostgreSQL).
 */
const ts = (micros: string): string => `('epoch'::timestamptz + ${micros} * interval '1 microsecond')`;

const WRITE_BATCH_SQL = `
WITH
-- The offset guard when the statement runs alone (autocommit, one round trip): lock the offset rows
-- of $44 partitions in order and check each still holds the $45 offset; if any does not (a replay,
-- another member, a row not yet created), every input below is empty and nothing is written.
-- Inside an explicit transaction that already locked and checked them, $44 is empty: ok.
g AS MATERIALIZED (
  SELECT count(*) = cardinality($44::integer[]) AS ok FROM (
    SELECT t.partition FROM ingestion_offsets AS t
    JOIN unnest($44::integer[], $45::bigint[]) AS x(p, prev) ON t.partition = x.p
    WHERE t.consumer_group = $43::text AND t.topic = $35::text AND t.last_offset = x.prev
    ORDER BY t.partition FOR UPDATE OF t) AS locked
),
u AS (
  INSERT INTO users AS t (user_id, first_seen, last_seen, watch_events, rate_events, recommend_events)
  SELECT x.u, ${ts('x.f')}, ${ts('x.l')}, x.w, x.r, x.c
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS x(u, f, l, w, r, c)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (user_id) DO UPDATE SET
    first_seen = least(t.first_seen, excluded.first_seen),
    last_seen = greatest(t.last_seen, excluded.last_seen),
    watch_events = t.watch_events + excluded.watch_events,
    rate_events = t.rate_events + excluded.rate_events,
    recommend_events = t.recommend_events + excluded.recommend_events
  RETURNING (xmax = 0) AS inserted
),
m AS (
  INSERT INTO movies AS t (movie_id, first_seen, last_seen, watch_events, rate_events)
  SELECT x.mv, ${ts('x.f')}, ${ts('x.l')}, x.w, x.r
  FROM unnest($7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[]) AS x(mv, f, l, w, r)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (movie_id) DO UPDATE SET
    first_seen = least(t.first_seen, excluded.first_seen),
    last_seen = greatest(t.last_seen, excluded.last_seen),
    watch_events = t.watch_events + excluded.watch_events,
    rate_events = t.rate_events + excluded.rate_events
  RETURNING (xmax = 0) AS inserted
),
p AS (
  INSERT INTO watch_progress AS t (user_id, movie_id, first_watched, last_watched, minutes, max_minute, watch_events)
  SELECT x.u, x.mv, ${ts('x.f')}, ${ts('x.l')}, x.mins::integer[], x.mx, x.n
  FROM unnest($12::bigint[], $13::text[], $14::bigint[], $15::bigint[], $16::text[], $17::integer[], $18::bigint[])
    AS x(u, mv, f, l, mins, mx, n)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (user_id, movie_id) DO UPDATE SET
    first_watched = least(t.first_watched, excluded.first_watched),
    last_watched = greatest(t.last_watched, excluded.last_watched),
    -- Sessions move forward: appending is the common case; a rewind needs a real set union
    -- (intarray's sorted union of two sorted distinct sets, migration 003).
    minutes = CASE WHEN excluded.minutes[1] > t.max_minute THEN t.minutes || excluded.minutes
                   ELSE t.minutes | excluded.minutes END,
    max_minute = greatest(t.max_minute, excluded.max_minute),
    watch_events = t.watch_events + excluded.watch_events
),
r AS (
  INSERT INTO user_ratings AS t (user_id, movie_id, rating, rated_at, rate_events)
  SELECT x.u, x.mv, x.r, ${ts('x.t')}, x.n
  FROM unnest($19::bigint[], $20::text[], $21::smallint[], $22::bigint[], $23::bigint[]) AS x(u, mv, r, t, n)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (user_id, movie_id) DO UPDATE SET
    rating = CASE WHEN excluded.rated_at >= t.rated_at THEN excluded.rating ELSE t.rating END,
    rated_at = greatest(t.rated_at, excluded.rated_at),
    rate_events = t.rate_events + excluded.rate_events
),
rc AS (
  INSERT INTO movie_rating_counts AS t (movie_id, rating, events)
  SELECT * FROM unnest($24::text[], $25::smallint[], $26::bigint[])
  WHERE (SELECT ok FROM g)
  ON CONFLICT (movie_id, rating) DO UPDATE SET events = t.events + excluded.events
),
h AS (
  INSERT INTO recommendation_requests_hourly AS t
    (hour, host, status, requests, latency_ms_sum, latency_ms_min, latency_ms_max, results_sum)
  SELECT ${ts('x.h')}, x.host, x.s, x.n, x.ls, x.lmin, x.lmax, x.rs
  FROM unnest($27::bigint[], $28::text[], $29::smallint[], $30::bigint[], $31::bigint[],
              $32::integer[], $33::integer[], $34::bigint[]) AS x(h, host, s, n, ls, lmin, lmax, rs)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (hour, host, status) DO UPDATE SET
    requests = t.requests + excluded.requests,
    latency_ms_sum = t.latency_ms_sum + excluded.latency_ms_sum,
    latency_ms_min = least(t.latency_ms_min, excluded.latency_ms_min),
    latency_ms_max = greatest(t.latency_ms_max, excluded.latency_ms_max),
    results_sum = t.results_sum + excluded.results_sum
),
d AS (
  INSERT INTO dead_letters (topic, partition, kafka_offset, reason, detail, raw_text)
  SELECT $35::text, x.p, x.o, x.r, x.d, x.t
  FROM unnest($36::integer[], $37::bigint[], $38::text[], $39::text[], $40::text[]) AS x(p, o, r, d, t)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (topic, partition, kafka_offset) DO NOTHING
),
o AS (
  UPDATE ingestion_offsets AS t SET last_offset = x.off, updated_at = now()
  FROM unnest($41::integer[], $42::bigint[]) AS x(p, off)
  WHERE t.consumer_group = $43::text AND t.topic = $35::text AND t.partition = x.p AND (SELECT ok FROM g)
  RETURNING 1
)
SELECT (SELECT count(*) FROM u WHERE inserted)::integer AS new_users,
       (SELECT count(*) FROM m WHERE inserted)::integer AS new_movies,
       (SELECT count(*) FROM o)::integer AS offsets_updated,
       (SELECT ok FROM g) AS ok`;

export interface BatchWriterOptions {
  pool: Pool;
  consumerGroup: string;
}

/**
 * Writes one partition's batch in ONE transaction: lock the partition's offset row, drop the
 * messages at or below the stored offset (a replay), aggregate the rest, upsert everything and
 * store the new offset. A crash anywhere leaves either all of it or none of it.
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
    if (preAggregated) {
      const alone = await this.writeAlone(batches, preAggregated, topic, started);
      if (alone) return alone;
    }
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toDbError(err, 'connect');
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const partitionIds = [...new Set(batches.map((b) => b.partition))].sort((x, y) => x - y);
      const stored = await this.lockOffsets(client, topic, partitionIds);
      const result: WriteResult = {
        applied: 0,
        duplicates: 0,
        appliedByType: emptyCounts(),
        duplicatesByType: emptyCounts(),
        deadLetters: new Map(),
        newUsers: 0,
        newMovies: 0,
        lastOffset: -1n,
        transactionSeconds: 0,
        partitions: new Map(),
      };
      // Built message by message when the pre-built aggregate cannot be used (see below).
      const rebuilt = new BatchAggregator();
      let aggregate: WritableAggregate = rebuilt;
      const newOffsets = new Map<number, bigint>();
      if (preAggregated && continuesStoredOffsets(batches, stored)) {
        // The common case: every partition's batches continue exactly at its stored offset + 1,
        // so the aggregate built while the batches arrived is exactly what must be applied.
        aggregate = preAggregated;
        for (const batch of batches) {
          const { last, count } = spanOf(batch)!;
          const state = result.partitions.get(batch.partition) ?? { lastOffset: last, applied: 0 };
          state.lastOffset = last;
          state.applied += count;
          result.partitions.set(batch.partition, state);
          newOffsets.set(batch.partition, last);
          result.applied += count;
        }
        result.appliedByType.watch = aggregate.eventCounts.watch;
        result.appliedByType.rate = aggregate.eventCounts.rate;
        result.appliedByType.recommend = aggregate.eventCounts.recommend;
        result.appliedByType.malformed = aggregate.deadLetterTotal;
      }
      // Otherwise (a replay, a gap, a seek between batches): message by message against the guard.
      for (const batch of newOffsets.size > 0 ? [] : batches) {
        const floor = newOffsets.get(batch.partition) ?? stored.get(batch.partition)!;
        const state = result.partitions.get(batch.partition) ?? { lastOffset: floor, applied: 0 };
        result.partitions.set(batch.partition, state);
        if (state.gapResumeAt !== undefined) continue;
        // Offsets increase within a batch: compare its ends, and only a batch straddling the stored
        // offset (a partial replay) is split message by message.
        const msgs = batch.messages;
        let fresh: ParsedMessage[];
        if (msgs.length === 0 || BigInt(msgs[0]!.offset) > floor) {
          fresh = msgs;
        } else {
          fresh = [];
          for (const m of msgs) {
            if (BigInt(m.offset) <= floor) {
              result.duplicates++;
              result.duplicatesByType[typeOf(m)]++;
            } else {
              fresh.push(m);
            }
          }
        }
        const first = fresh[0];
        if (!first) continue;
        if (BigInt(first.offset) > floor + 1n && !batch.acceptGap) {
          state.gapResumeAt = floor + 1n;
          continue;
        }
        for (const m of fresh) {
          rebuilt.addParsed(m.parsed, batch.partition, m.offset, m.rawText);
          result.appliedByType[typeOf(m)]++;
        }
        const last = BigInt(fresh[fresh.length - 1]!.offset);
        newOffsets.set(batch.partition, last);
        state.lastOffset = last;
        state.applied += fresh.length;
        result.applied += fresh.length;
      }
      if (newOffsets.size === 0) {
        await client.query('ROLLBACK');
      } else {
        const { rows } = await client.query<{
          new_users: number;
          new_movies: number;
          offsets_updated: number;
        }>({
          name: 'reelwatch_write_batch',
          text: WRITE_BATCH_SQL,
          values: this.parameters(aggregate, topic, newOffsets),
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
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw toDbError(err, `write batch ${topic}[${batches.map((b) => b.partition).join(',')}]`);
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
    topic: string,
    started: bigint,
  ): Promise<WriteResult | undefined> {
    const prev = new Map<number, bigint>();
    const last = new Map<number, bigint>();
    const applied = new Map<number, number>();
    for (const b of batches) {
      const span = spanOf(b);
      if (!span || b.acceptGap) return undefined;
      const expected = last.get(b.partition);
      if (expected === undefined) prev.set(b.partition, span.first - 1n);
      else if (span.first !== expected + 1n) return undefined;
      last.set(b.partition, span.last);
      applied.set(b.partition, (applied.get(b.partition) ?? 0) + span.count);
    }
    const partitions = [...prev.keys()].sort((x, y) => x - y);
    let rows: { new_users: number; new_movies: number; offsets_updated: number; ok: boolean }[];
    try {
      ({ rows } = await this.pool.query({
        name: 'reelwatch_write_batch',
        text: WRITE_BATCH_SQL,
        values: this.parameters(aggregate, topic, last, {
          partitions,
          prev: partitions.map((p) => String(prev.get(p)!)),
        }),
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
    const select = `SELECT partition, last_offset FROM ingestion_offsets
      WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::integer[]) ORDER BY partition FOR UPDATE`;
    const params = [this.group, topic, partitions];
    let { rows } = await client.query<{ partition: number; last_offset: string }>({
      name: 'reelwatch_lock_offsets',
      text: select,
      values: params,
    });
    if (rows.length < partitions.length) {
      await client.query(
        `INSERT INTO ingestion_offsets (consumer_group, topic, partition, last_offset)
         SELECT $1, $2, p, -1 FROM unnest($3::integer[]) AS p ORDER BY p ON CONFLICT DO NOTHING`,
        params,
      );
      ({ rows } = await client.query<{ partition: number; last_offset: string }>({
        name: 'reelwatch_lock_offsets',
        text: select,
        values: params,
      }));
    }
    return new Map(rows.map((r) => [r.partition, BigInt(r.last_offset)]));
  }

  private parameters(
    a: WritableAggregate,
    topic: string,
    offsets: Map<number, bigint>,
    guard: { partitions: number[]; prev: string[] } = { partitions: [], prev: [] },
  ): unknown[] {
    const values = a.parameters();
    return [
      ...values.slice(0, 34),
      topic,
      ...values.slice(34),
      [...offsets.keys()],
      [...offsets.values()].map(String),
      this.group,
      guard.partitions,
      guard.prev,
    ];
  }
}

/**
 * True when, for every partition, the first batch starts at stored offset + 1 and each next batch
 * right after the previous one: nothing is a replay and nothing is missing.
 */
function continuesStoredOffsets(batches: PartitionBatch[], stored: Map<number, bigint>): boolean {
  const expected = new Map<number, bigint>();
  for (const b of batches) {
    const span = spanOf(b);
    if (!span || b.acceptGap) return false;
    const next = expected.get(b.partition) ?? stored.get(b.partition)! + 1n;
    if (span.first !== next) return false;
    expected.set(b.partition, span.last + 1n);
  }
  return true;
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
