import type { DeadLetterReason, EventType, MovieEvent } from './parse-event-line';

export interface UserAggregate {
  userId: string;
  firstSeen: number;
  lastSeen: number;
  watchEvents: number;
  rateEvents: number;
  recommendEvents: number;
}
export interface MovieAggregate {
  movieId: string;
  firstSeen: number;
  lastSeen: number;
  watchEvents: number;
  rateEvents: number;
}
export interface WatchProgressAggregate {
  userId: string;
  movieId: string;
  firstWatched: number;
  lastWatched: number;
  minutes: Set<number>;
  maxMinute: number;
  watchEvents: number;
}
export interface RatingAggregate {
  userId: string;
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
  rawText: string;
}

const HOUR_MICROS = 3_600_000_000;

/**
 * The in-memory aggregate of one batch, in stream (offset) order: what one transaction writes.
 * Combining rules match the SQL upserts, so aggregating a batch then upserting equals applying
 * every event one by one: counts add, first/last seen take min/max, the latest rating wins by
 * event time with ties going to the later event, minute sets union.
 */
export class BatchAggregator {
  readonly users = new Map<string, UserAggregate>();
  readonly movies = new Map<string, MovieAggregate>();
  /** Per user, then per movie: two lookups of field strings instead of a concatenated key per event. */
  private readonly progressByUser = new Map<string, Map<string, WatchProgressAggregate>>();
  private readonly ratingsByUser = new Map<string, Map<string, RatingAggregate>>();

  /** Watch progress keyed `<user>/<movie>` (built on demand: once per write, per row). */
  get progress(): Map<string, WatchProgressAggregate> {
    return flatten(this.progressByUser);
  }
  /** Latest ratings keyed `<user>/<movie>` (built on demand). */
  get ratings(): Map<string, RatingAggregate> {
    return flatten(this.ratingsByUser);
  }
  readonly ratingCounts = new Map<string, RatingCountAggregate>();
  readonly recommendations = new Map<string, RecommendationHourAggregate>();
  readonly deadLetters: DeadLetter[] = [];
  readonly eventCounts: Record<EventType, number> = { watch: 0, rate: 0, recommend: 0 };
  readonly deadLetterCounts = new Map<DeadLetterReason, number>();

  get size(): number {
    return (
      this.eventCounts.watch + this.eventCounts.rate + this.eventCounts.recommend + this.deadLetters.length
    );
  }

  add(event: MovieEvent): void {
    this.eventCounts[event.type]++;
    const ts = event.tsMicros;
    let user = this.users.get(event.userId);
    if (!user) {
      user = {
        userId: event.userId,
        firstSeen: ts,
        lastSeen: ts,
        watchEvents: 0,
        rateEvents: 0,
        recommendEvents: 0,
      };
      this.users.set(event.userId, user);
    } else {
      if (ts < user.firstSeen) user.firstSeen = ts;
      if (ts > user.lastSeen) user.lastSeen = ts;
    }
    switch (event.type) {
      case 'watch': {
        user.watchEvents++;
        this.touchMovie(event.movieId, ts).watchEvents++;
        let byMovie = this.progressByUser.get(event.userId);
        if (!byMovie) {
          byMovie = new Map();
          this.progressByUser.set(event.userId, byMovie);
        }
        const p = byMovie.get(event.movieId);
        if (!p) {
          byMovie.set(event.movieId, {
            userId: event.userId,
            movieId: event.movieId,
            firstWatched: ts,
            lastWatched: ts,
            minutes: new Set([event.minute]),
            maxMinute: event.minute,
            watchEvents: 1,
          });
        } else {
          if (ts < p.firstWatched) p.firstWatched = ts;
          if (ts > p.lastWatched) p.lastWatched = ts;
          p.minutes.add(event.minute);
          if (event.minute > p.maxMinute) p.maxMinute = event.minute;
          p.watchEvents++;
        }
        break;
      }
      case 'rate': {
        user.rateEvents++;
        this.touchMovie(event.movieId, ts).rateEvents++;
        let byMovie = this.ratingsByUser.get(event.userId);
        if (!byMovie) {
          byMovie = new Map();
          this.ratingsByUser.set(event.userId, byMovie);
        }
        const r = byMovie.get(event.movieId);
        if (!r) {
          byMovie.set(event.movieId, {
            userId: event.userId,
            movieId: event.movieId,
            rating: event.rating,
            ratedAt: ts,
            rateEvents: 1,
          });
        } else {
          if (ts >= r.ratedAt) {
            r.rating = event.rating;
            r.ratedAt = ts;
          }
          r.rateEvents++;
        }
        const countKey = `${event.movieId}/${event.rating}`;
        const c = this.ratingCounts.get(countKey);
        if (c) c.events++;
        else this.ratingCounts.set(countKey, { movieId: event.movieId, rating: event.rating, events: 1 });
        break;
      }
      case 'recommend': {
        user.recommendEvents++;
        const hour = Math.floor(ts / HOUR_MICROS) * HOUR_MICROS;
        const key = `${hour}/${event.host}/${event.status}`;
        const h = this.recommendations.get(key);
        if (!h) {
          this.recommendations.set(key, {
            hour,
            host: event.host,
            status: event.status,
            requests: 1,
            latencyMsSum: event.latencyMs,
            latencyMsMin: event.latencyMs,
            latencyMsMax: event.latencyMs,
            resultsSum: event.results.length,
          });
        } else {
          h.requests++;
          h.latencyMsSum += event.latencyMs;
          if (event.latencyMs < h.latencyMsMin) h.latencyMsMin = event.latencyMs;
          if (event.latencyMs > h.latencyMsMax) h.latencyMsMax = event.latencyMs;
          h.resultsSum += event.results.length;
        }
        break;
      }
    }
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

function flatten<T>(nested: Map<string, Map<string, T>>): Map<string, T> {
  const flat = new Map<string, T>();
  for (const [user, byMovie] of nested)
    for (const [movie, value] of byMovie) flat.set(`${user}/${movie}`, value);
  return flat;
}

/** Epoch µs -> ISO 8601 with microseconds, the text PostgreSQL parses exactly into timestamptz. */
export function microsToIso(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const extra = String(micros - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${extra}Z`;
}
