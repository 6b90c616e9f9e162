import type { DeadLetterReason, EventType, MovieEvent, ParseResult } from './parse-event-line';
import { aggregateParameters, type WritableAggregate } from './write-statement';

/**
 * A user id as an aggregation key: a number when it has at most 15 digits (exact in a double, and a
 * cheaper map key than a string; the fast path reads it straight from the bytes), else its text.
 * Every path turns the same id into the same key (see userKey).
 */
export type UserKey = number | string;
/** The key of a canonical user id text (decimal digits, no leading zeros). */
export const userKey = (id: string): UserKey => (id.length <= MAX_NUMERIC_USER_DIGITS ? Number(id) : id);
export const MAX_NUMERIC_USER_DIGITS = 15;

export interface UserAggregate {
  userId: UserKey;
  firstSeen: number;
  lastSeen: number;
  watchEvents: number;
  rateEvents: number;
  recommendEvents: number;
  /** This user's watch progress and latest ratings by movie (one lookup fewer per event than a map per table). */
  progress: Map<string, WatchProgressAggregate> | undefined;
  ratings: Map<string, RatingAggregate> | undefined;
}
export interface MovieAggregate {
  movieId: string;
  firstSeen: number;
  lastSeen: number;
  watchEvents: number;
  rateEvents: number;
}
export interface WatchProgressAggregate {
  userId: UserKey;
  movieId: string;
  firstWatched: number;
  lastWatched: number;
  /** Distinct minutes, ascending (sessions move forward, so a new minute is nearly always appended). */
  minutes: number[];
  maxMinute: number;
  watchEvents: number;
}
export interface RatingAggregate {
  userId: UserKey;
  movieId: string;
  rating: number;
  ratedAt: number;
  rateEvents: number;
}
export interface RatingCountAggregate {
  movieId: string;
  rating: number;
  events: number;
}
export interface RecommendationHourAggregate {
  /** Start of the UTC hour, epoch µs. */
  hour: number;
  host: string;
  status: number;
  requests: number;
  latencyMsSum: number;
  latencyMsMin: number;
  latencyMsMax: number;
  resultsSum: number;
}
export interface DeadLetter {
  partition: number;
  offset: string;
  reason: DeadLetterReason;
  detail: string;
  /** The line, NUL replaced, cut to MAX_DEAD_LETTER_TEXT_LENGTH characters. */
  rawText: string;
  /** The line's length in characters (Unicode code points) before it was cut. */
  rawLength: number;
}

const HOUR_MICROS = 3_600_000_000;

// PostgreSQL text cannot hold NUL; everything else of a dead line is kept as it came.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be replaced
export const sanitizeText = (text: string): string => text.replace(/\u0000/g, '\uFFFD');

/**
 * Most characters of a dead line stored: every line short enough to be parsed is kept whole; a
 * longer one (up to the broker's message size) is cut, its original length kept in raw_length.
 * Migration 004 cuts older rows to the same length.
 */
export const MAX_DEAD_LETTER_TEXT_LENGTH = 8192;

/**
 * A dead line as stored: sanitised, cut to `max` characters (Unicode code points, as PostgreSQL's
 * length() counts them; a surrogate pair is never split) and its length before the cut.
 */
export function deadLetterText(
  text: string,
  max: number = MAX_DEAD_LETTER_TEXT_LENGTH,
): { rawText: string; rawLength: number } {
  let codePoints = 0;
  let cutAt = -1;
  for (let i = 0; i < text.length; i++) {
    if (codePoints === max && cutAt < 0) cutAt = i;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    codePoints++;
  }
  const kept = cutAt < 0 ? text : text.slice(0, cutAt);
  return { rawText: sanitizeText(kept), rawLength: codePoints };
}

/**
 * The in-memory aggregate of one batch, in stream (offset) order: what one transaction writes.
 * Combining rules match the SQL upserts, so aggregating a batch then upserting equals applying
 * every event one by one: counts add, first/last seen take min/max, the latest rating wins by
 * event time with ties going to the later event, minute sets union.
 */
export class BatchAggregator implements WritableAggregate {
  readonly users = new Map<UserKey, UserAggregate>();
  readonly movies = new Map<string, MovieAggregate>();

  /** Watch progress keyed `<user>/<movie>` (built on demand: once per write, per row). */
  get progress(): Map<string, WatchProgressAggregate> {
    return flatten(this.users, (u) => u.progress);
  }
  /** Latest ratings keyed `<user>/<movie>` (built on demand). */
  get ratings(): Map<string, RatingAggregate> {
    return flatten(this.users, (u) => u.ratings);
  }
  readonly ratingCounts = new Map<string, RatingCountAggregate>();
  readonly recommendations = new Map<string, RecommendationHourAggregate>();
  readonly deadLetters: DeadLetter[] = [];
  readonly eventCounts: Record<EventType, number> = { watch: 0, rate: 0, recommend: 0 };
  readonly deadLetterCounts = new Map<DeadLetterReason, number>();

  get deadLetterTotal(): number {
    return this.deadLetters.length;
  }

  parameters(): unknown[] {
    return aggregateParameters(this);
  }

  get size(): number {
    return (
      this.eventCounts.watch + this.eventCounts.rate + this.eventCounts.recommend + this.deadLetters.length
    );
  }

  add(event: MovieEvent): void {
    const user = userKey(event.userId);
    switch (event.type) {
      case 'watch':
        this.addWatch(event.tsMicros, user, event.movieId, event.minute);
        break;
      case 'rate':
        this.addRate(event.tsMicros, user, event.movieId, event.rating);
        break;
      case 'recommend':
        this.addRecommend(
          event.tsMicros,
          user,
          event.host,
          event.status,
          event.results.length,
          event.latencyMs,
        );
        break;
    }
  }

  /**
   * The per-type entry points take the fields directly, so the byte-level fast path (fast-line.ts)
   * aggregates a line without building an event object. `user` is a UserKey (see userKey).
   */
  addWatch(ts: number, user: UserKey, movieId: string, minute: number): void {
    this.eventCounts.watch++;
    const u = this.touchUser(user, ts);
    u.watchEvents++;
    this.touchMovie(movieId, ts).watchEvents++;
    u.progress ??= new Map();
    const p = u.progress.get(movieId);
    if (!p) {
      u.progress.set(movieId, {
        userId: user,
        movieId,
        firstWatched: ts,
        lastWatched: ts,
        minutes: [minute],
        maxMinute: minute,
        watchEvents: 1,
      });
    } else {
      if (ts < p.firstWatched) p.firstWatched = ts;
      if (ts > p.lastWatched) p.lastWatched = ts;
      if (minute > p.maxMinute) {
        p.minutes.push(minute);
        p.maxMinute = minute;
      } else {
        insertDistinct(p.minutes, minute);
      }
      p.watchEvents++;
    }
  }

  addRate(ts: number, user: UserKey, movieId: string, rating: number): void {
    this.eventCounts.rate++;
    const u = this.touchUser(user, ts);
    u.rateEvents++;
    this.touchMovie(movieId, ts).rateEvents++;
    u.ratings ??= new Map();
    const r = u.ratings.get(movieId);
    if (!r) {
      u.ratings.set(movieId, { userId: user, movieId, rating, ratedAt: ts, rateEvents: 1 });
    } else {
      if (ts >= r.ratedAt) {
        r.rating = rating;
        r.ratedAt = ts;
      }
      r.rateEvents++;
    }
    const countKey = `${movieId}/${rating}`;
    const c = this.ratingCounts.get(countKey);
    if (c) c.events++;
    else this.ratingCounts.set(countKey, { movieId, rating, events: 1 });
  }

  addRecommend(
    ts: number,
    user: UserKey,
    host: string,
    status: number,
    results: number,
    latencyMs: number,
  ): void {
    this.eventCounts.recommend++;
    this.touchUser(user, ts).recommendEvents++;
    const hour = Math.floor(ts / HOUR_MICROS) * HOUR_MICROS;
    const key = `${hour}/${host}/${status}`;
    const h = this.recommendations.get(key);
    if (!h) {
      this.recommendations.set(key, {
        hour,
        host,
        status,
        requests: 1,
        latencyMsSum: latencyMs,
        latencyMsMin: latencyMs,
        latencyMsMax: latencyMs,
        resultsSum: results,
      });
    } else {
      h.requests++;
      h.latencyMsSum += latencyMs;
      if (latencyMs < h.latencyMsMin) h.latencyMsMin = latencyMs;
      if (latencyMs > h.latencyMsMax) h.latencyMsMax = latencyMs;
      h.resultsSum += results;
    }
  }

  private touchUser(user: UserKey, ts: number): UserAggregate {
    let u = this.users.get(user);
    if (!u) {
      u = {
        userId: user,
        firstSeen: ts,
        lastSeen: ts,
        watchEvents: 0,
        rateEvents: 0,
        recommendEvents: 0,
        progress: undefined,
        ratings: undefined,
      };
      this.users.set(user, u);
    } else {
      if (ts < u.firstSeen) u.firstSeen = ts;
      if (ts > u.lastSeen) u.lastSeen = ts;
    }
    return u;
  }

  /** A strict parser's result for the message at (partition, offset): its event, or a dead letter. */
  addParsed(parsed: ParseResult, partition: number, offset: string, rawText: string): void {
    if (parsed.ok) this.add(parsed.event);
    else
      this.addDeadLetter({
        partition,
        offset,
        reason: parsed.reason,
        detail: parsed.detail,
        ...deadLetterText(rawText),
      });
  }

  addDeadLetter(deadLetter: DeadLetter): void {
    this.deadLetters.push(deadLetter);
    this.deadLetterCounts.set(deadLetter.reason, (this.deadLetterCounts.get(deadLetter.reason) ?? 0) + 1);
  }

  private touchMovie(movieId: string, ts: number): MovieAggregate {
    let movie = this.movies.get(movieId);
    if (!movie) {
      movie = { movieId, firstSeen: ts, lastSeen: ts, watchEvents: 0, rateEvents: 0 };
      this.movies.set(movieId, movie);
    } else {
      if (ts < movie.firstSeen) movie.firstSeen = ts;
      if (ts > movie.lastSeen) movie.lastSeen = ts;
    }
    return movie;
  }
}

function flatten<T>(
  users: Map<UserKey, UserAggregate>,
  of: (u: UserAggregate) => Map<string, T> | undefined,
): Map<string, T> {
  const flat = new Map<string, T>();
  for (const [user, u] of users) {
    const byMovie = of(u);
    if (byMovie) for (const [movie, value] of byMovie) flat.set(`${user}/${movie}`, value);
  }
  return flat;
}

/** Inserts `value` into the ascending distinct array `sorted` unless it is there already. */
function insertDistinct(sorted: number[], value: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  if (sorted[lo] !== value) sorted.splice(lo, 0, value);
}

/** Epoch µs -> ISO 8601 with microseconds, the text PostgreSQL parses exactly into timestamptz. */
export function microsToIso(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const extra = String(micros - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${extra}Z`;
}
