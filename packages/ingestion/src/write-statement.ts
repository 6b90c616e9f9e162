import { arrayText } from './array-text';
import type { BatchAggregator, RatingAggregate, UserKey, WatchProgressAggregate } from './batch-aggregator';
import type { DeadLetterReason, EventType } from './parse-event-line';

/**
 * The write statement and its parameter contract, in one place: the SQL, the values of its
 * aggregate parameters (built from a BatchAggregator, here or on the aggregation thread) and
 * where the topic, the offsets, the group and the guard go.
 *
 * | params   | what                                                   | from                  |
 * |----------|--------------------------------------------------------|-----------------------|
 * | $1-$6    | users: id, first/last seen, watch/rate/recommend count | aggregateParameters   |
 * | $7-$11   | movies: id, first/last seen, watch/rate count          | aggregateParameters   |
 * | $12-$18  | watch progress: user, movie, first/last, minutes...    | aggregateParameters   |
 * | $19-$23  | latest ratings: user, movie, rating, time, count       | aggregateParameters   |
 * | $24-$26  | rating counts: movie, rating, events                   | aggregateParameters   |
 * | $27-$34  | recommendation hours                                   | aggregateParameters   |
 * | $35      | topic                                                  | statementParameters   |
 * | $36-$41  | dead letters: partition, offset, reason, detail, text, | aggregateParameters   |
 * |          | length before the text was cut                         |                       |
 * | $42-$43  | new offsets: partitions, last offsets                  | statementParameters   |
 * | $44      | consumer group                                         | statementParameters   |
 * | $45-$46  | guard: partitions, offsets they must still hold        | statementParameters   |
 */
export const WRITE_STATEMENT_NAME = 'reelwatch_write_batch';

/** How many values aggregateParameters() returns ($1-$34 and $36-$41). */
export const AGGREGATE_PARAMETER_COUNT = 40;
/** Where $35 (the topic) goes among the aggregate values. */
const TOPIC_INDEX = 34;

/**
 * What BatchWriter needs of an aggregate: its counts, for the result and the metrics, and the
 * values of the write statement's aggregate parameters. Implemented by BatchAggregator and by the
 * prepared aggregate an aggregation thread sends back (aggregation.ts).
 */
export interface WritableAggregate {
  readonly eventCounts: Readonly<Record<EventType, number>>;
  readonly deadLetterCounts: ReadonlyMap<DeadLetterReason, number>;
  readonly deadLetterTotal: number;
  /** aggregateParameters() of the aggregate (or their PostgreSQL array text). */
  parameters(): unknown[];
}

/**
 * Event times travel as epoch microseconds (bigint) and become timestamptz in SQL: exact (the
 * interval product of an integer below 2^53 is exact), and cheaper on both sides than ISO text
 * (no Date/toISOString per row in Node, no timestamptz_in per row in PostgreSQL).
 */
const ts = (micros: string): string => `('epoch'::timestamptz + ${micros} * interval '1 microsecond')`;

/**
 * One data-modifying statement writes every aggregate table, the dead letters and the offset:
 * one round trip per batch besides BEGIN, the offset lock and COMMIT. Every upsert combines the
 * same way the in-memory aggregator does, so batching changes nothing in the result.
 */
export const WRITE_BATCH_SQL = `
WITH
-- The offset guard when the statement runs alone (autocommit, one round trip): lock the offset rows
-- of $45 partitions in order and check each still holds the $46 offset; if any does not (a replay,
-- another member, a row not yet created), every input below is empty and nothing is written.
-- Inside an explicit transaction that already locked and checked them, $45 is empty: ok.
g AS MATERIALIZED (
  SELECT count(*) = cardinality($45::integer[]) AS ok FROM (
    SELECT t.partition FROM ingestion_offsets AS t
    JOIN unnest($45::integer[], $46::bigint[]) AS x(p, prev) ON t.partition = x.p
    WHERE t.consumer_group = $44::text AND t.topic = $35::text AND t.last_offset = x.prev
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
  INSERT INTO dead_letters (topic, partition, kafka_offset, reason, detail, raw_text, raw_length)
  SELECT $35::text, x.p, x.o, x.r, x.d, x.t, x.n
  FROM unnest($36::integer[], $37::bigint[], $38::text[], $39::text[], $40::text[], $41::integer[])
    AS x(p, o, r, d, t, n)
  WHERE (SELECT ok FROM g)
  ON CONFLICT (topic, partition, kafka_offset) DO NOTHING
),
o AS (
  UPDATE ingestion_offsets AS t SET last_offset = x.off, updated_at = now()
  FROM unnest($42::integer[], $43::bigint[]) AS x(p, off)
  WHERE t.consumer_group = $44::text AND t.topic = $35::text AND t.partition = x.p AND (SELECT ok FROM g)
  RETURNING 1
)
SELECT (SELECT count(*) FROM u WHERE inserted)::integer AS new_users,
       (SELECT count(*) FROM m WHERE inserted)::integer AS new_movies,
       (SELECT count(*) FROM o)::integer AS offsets_updated,
       (SELECT ok FROM g) AS ok`;

/** The statement's result row. */
export interface WriteStatementRow {
  new_users: number;
  new_movies: number;
  offsets_updated: number;
  ok: boolean;
}

/** The in-transaction guard (already checked by the caller): nothing for the statement to check. */
const NO_GUARD = { partitions: [] as number[], prev: [] as string[] };

/**
 * The statement's 46 values: the aggregate's 40 with the topic, the new offsets, the group and the
 * guard put in their places. With a guard the statement runs alone and checks each of
 * `guard.partitions` still holds its `guard.prev` offset.
 */
export function statementParameters(
  aggregateValues: unknown[],
  topic: string,
  group: string,
  offsets: ReadonlyMap<number, bigint>,
  guard: { partitions: number[]; prev: string[] } = NO_GUARD,
): unknown[] {
  return [
    ...aggregateValues.slice(0, TOPIC_INDEX),
    topic,
    ...aggregateValues.slice(TOPIC_INDEX),
    [...offsets.keys()],
    [...offsets.values()].map(String),
    group,
    guard.partitions,
    guard.prev,
  ];
}

/**
 * $1-$34 and $36-$41, in that order: users, movies, watch progress, ratings, rating counts,
 * recommendation hours, then the dead letters; rows sorted by key so that concurrent transactions
 * lock rows in the same order.
 */
export function aggregateParameters(a: BatchAggregator): unknown[] {
  const byKey = <T>(map: Map<UserKey, T>): T[] =>
    [...map.entries()].sort((x, y) => compareKeys(x[0], y[0])).map((e) => e[1]);
  const users = byKey(a.users);
  const movies = byKey(a.movies);
  // Per user in key order, then per movie id: the same total order as a sorted `<user>/<movie>`
  // key would give within a user, without building a key string per row.
  const progress: WatchProgressAggregate[] = [];
  const ratings: RatingAggregate[] = [];
  const byMovie = <T extends { movieId: string }>(x: T, y: T) =>
    x.movieId < y.movieId ? -1 : x.movieId > y.movieId ? 1 : 0;
  for (const u of users) {
    if (u.progress) progress.push(...[...u.progress.values()].sort(byMovie));
    if (u.ratings) ratings.push(...[...u.ratings.values()].sort(byMovie));
  }
  const counts = byKey(a.ratingCounts);
  const hours = byKey(a.recommendations);
  const dead = a.deadLetters;
  return [
    users.map((u) => u.userId),
    users.map((u) => u.firstSeen),
    users.map((u) => u.lastSeen),
    users.map((u) => u.watchEvents),
    users.map((u) => u.rateEvents),
    users.map((u) => u.recommendEvents),
    movies.map((m) => m.movieId),
    movies.map((m) => m.firstSeen),
    movies.map((m) => m.lastSeen),
    movies.map((m) => m.watchEvents),
    movies.map((m) => m.rateEvents),
    progress.map((p) => p.userId),
    progress.map((p) => p.movieId),
    progress.map((p) => p.firstWatched),
    progress.map((p) => p.lastWatched),
    progress.map((p) => `{${p.minutes.join(',')}}`),
    progress.map((p) => p.maxMinute),
    progress.map((p) => p.watchEvents),
    ratings.map((r) => r.userId),
    ratings.map((r) => r.movieId),
    ratings.map((r) => r.rating),
    ratings.map((r) => r.ratedAt),
    ratings.map((r) => r.rateEvents),
    counts.map((c) => c.movieId),
    counts.map((c) => c.rating),
    counts.map((c) => c.events),
    hours.map((h) => h.hour),
    hours.map((h) => h.host),
    hours.map((h) => h.status),
    hours.map((h) => h.requests),
    hours.map((h) => h.latencyMsSum),
    hours.map((h) => h.latencyMsMin),
    hours.map((h) => h.latencyMsMax),
    hours.map((h) => h.resultsSum),
    dead.map((d) => d.partition),
    dead.map((d) => d.offset),
    dead.map((d) => d.reason),
    dead.map((d) => d.detail),
    dead.map((d) => d.rawText),
    dead.map((d) => d.rawLength),
  ];
}

/**
 * aggregateParameters() turned into PostgreSQL array text exactly as node-pg would send them (on
 * the aggregation thread: that serialisation is per row, so it belongs off the consumer's thread).
 */
export function aggregateParameterText(a: BatchAggregator): unknown[] {
  return aggregateParameters(a).map(arrayText);
}

/** A total order on keys: numbers (short user ids) numerically, before strings, which compare as text. */
function compareKeys(x: UserKey, y: UserKey): number {
  if (typeof x === 'number') return typeof y === 'number' ? x - y : -1;
  if (typeof y === 'number') return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
