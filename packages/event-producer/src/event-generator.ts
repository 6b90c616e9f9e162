import { SeededRandom, ZipfSampler } from './prng';

/** A generated event: the line written to Kafka, its key, and the facts it states (for references). */
export type GeneratedEvent =
  | {
      type: 'watch';
      key: string;
      line: string;
      tsMs: number;
      userId: string;
      movieId: string;
      minute: number;
    }
  | {
      type: 'rate';
      key: string;
      line: string;
      tsMs: number;
      userId: string;
      movieId: string;
      rating: number;
    }
  | {
      type: 'recommend';
      key: string;
      line: string;
      tsMs: number;
      userId: string;
      host: string;
      status: number;
      results: string[];
      latencyMs: number;
    }
  | { type: 'malformed'; key: string; line: string; corruption: MalformedKind };

export type GeneratedEventType = GeneratedEvent['type'];

export const MALFORMED_KINDS = [
  'garbage',
  'empty',
  'bad_timestamp',
  'bad_user_id',
  'bad_minute',
  'bad_rating',
  'bad_movie_id',
  'bad_status',
  'bad_latency',
  'truncated',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface EventGeneratorOptions {
  /** Same seed, same options -> the same stream, byte for byte. */
  seed: number;
  /** Event time of the first event (ms since epoch); `clock: 'wall'` ignores it and uses Date.now(). */
  startTimeMs?: number;
  /** Simulated milliseconds between consecutive events (simulated clock only). */
  eventSpacingMs?: number;
  clock?: 'simulated' | 'wall';
  initialUsers?: number;
  initialMovies?: number;
  /** Probability per event that a new user arrives (and starts watching). */
  newUserProbability?: number;
  /** Probability per event that a new movie is released (rare). */
  newMovieProbability?: number;
  rateProbability?: number;
  recommendProbability?: number;
  /** Ratio of lines replaced by a malformed line (0-1). */
  malformedRatio?: number;
  /** Zipf exponent of movie popularity. */
  zipfExponent?: number;
  /** Sessions watched in parallel (the pool watch events are drawn from). */
  concurrentSessions?: number;
}

const WORDS = [
  'the',
  'last',
  'night',
  'city',
  'dark',
  'star',
  'love',
  'war',
  'blue',
  'river',
  'king',
  'ghost',
  'road',
  'summer',
  'iron',
  'silent',
  'house',
  'dream',
  'wild',
  'golden',
  'secret',
  'lost',
  'red',
  'moon',
  'fire',
  'little',
  'big',
  'time',
  'storm',
  'garden',
  "o'brien",
  'mr.',
  'wall-e',
  'part',
  'ii',
  'return',
  'empire',
]; // prettier-ignore
const HOSTS = ['17645-team01.isri.cmu.edu:8082', '17645-team02.isri.cmu.edu:8082', '10.0.4.17:8080'];

interface Session {
  userId: string;
  movieId: string;
  minute: number;
  remaining: number;
}

/**
 * The movie stream simulator: watch minutes in sessions of consecutive minutes, some ratings,
 * some recommendation requests; movie popularity Zipf-skewed; new users steadily, new movies rarely.
 */
export class EventGenerator {
  private readonly random: SeededRandom;
  private readonly options: Required<EventGeneratorOptions>;
  private readonly movies: string[] = [];
  private readonly movieNames = new Set<string>();
  private readonly popularity: ZipfSampler;
  private readonly sessions: Session[] = [];
  private userCount: number;
  private sequence = 0;

  constructor(options: EventGeneratorOptions) {
    this.options = {
      startTimeMs: Date.UTC(2026, 0, 1),
      eventSpacingMs: 7,
      clock: 'simulated',
      initialUsers: 1000,
      initialMovies: 500,
      newUserProbability: 0.002,
      newMovieProbability: 0.0002,
      rateProbability: 0.04,
      recommendProbability: 0.05,
      malformedRatio: 0,
      zipfExponent: 1.0,
      concurrentSessions: 200,
      ...options,
    };
    this.random = new SeededRandom(this.options.seed);
    this.userCount = this.options.initialUsers;
    for (let i = 0; i < this.options.initialMovies; i++) this.movies.push(this.newMovieName());
    this.popularity = new ZipfSampler(this.options.zipfExponent, this.movies.length);
  }

  next(): GeneratedEvent {
    const seq = this.sequence++;
    const o = this.options;
    const tsMs = o.clock === 'wall' ? Date.now() : o.startTimeMs + Math.floor(seq * o.eventSpacingMs);
    if (this.random.chance(o.newMovieProbability)) this.releaseMovie();
    let newUser: string | undefined;
    if (this.random.chance(o.newUserProbability)) newUser = String(++this.userCount);

    const event = newUser ? this.watch(tsMs, newUser) : this.anyEvent(tsMs);
    if (o.malformedRatio > 0 && this.random.chance(o.malformedRatio)) return this.corrupt(event);
    return event;
  }

  *take(count: number): Generator<GeneratedEvent> {
    for (let i = 0; i < count; i++) yield this.next();
  }

  private anyEvent(tsMs: number): GeneratedEvent {
    const r = this.random.next();
    if (r < this.options.rateProbability) return this.rate(tsMs);
    if (r < this.options.rateProbability + this.options.recommendProbability) return this.recommend(tsMs);
    return this.watch(tsMs);
  }

  private randomUser(): string {
    return String(this.random.int(1, this.userCount));
  }

  private popularMovie(): string {
    return this.movies[this.popularity.sample(this.random)]!;
  }

  private watch(tsMs: number, newUser?: string): GeneratedEvent {
    let session: Session | undefined;
    if (newUser || this.sessions.length < this.options.concurrentSessions) {
      session = {
        userId: newUser ?? this.randomUser(),
        movieId: this.popularMovie(),
        // Most sessions start at the beginning; some resume in the middle.
        minute: this.random.chance(0.7) ? 0 : this.random.int(1, 90),
        remaining: this.random.int(1, 120),
      };
      this.sessions.push(session);
    } else {
      session = this.random.pick(this.sessions);
    }
    const minute = session.minute;
    // Occasionally a viewer rewinds: the same minute is watched again (must not count twice).
    if (this.random.chance(0.03)) session.minute = Math.max(0, session.minute - this.random.int(1, 3));
    else session.minute++;
    if (--session.remaining <= 0) this.sessions.splice(this.sessions.indexOf(session), 1);
    const { userId, movieId } = session;
    return {
      type: 'watch',
      key: userId,
      line: `${iso(tsMs)},${userId},GET /data/m/${movieId}/${minute}.mpg`,
      tsMs,
      userId,
      movieId,
      minute,
    };
  }

  private rate(tsMs: number): GeneratedEvent {
    // Ratings mostly come from someone currently watching; re-ratings happen.
    const session =
      this.sessions.length > 0 && this.random.chance(0.8) ? this.random.pick(this.sessions) : undefined;
    const userId = session?.userId ?? this.randomUser();
    const movieId = session?.movieId ?? this.popularMovie();
    const rating = Math.min(5, Math.max(1, Math.round(3.6 + (this.random.next() - 0.5) * 4)));
    return {
      type: 'rate',
      key: userId,
      line: `${iso(tsMs)},${userId},GET /rate/${movieId}=${rating}`,
      tsMs,
      userId,
      movieId,
      rating,
    };
  }

  private recommend(tsMs: number): GeneratedEvent {
    const userId = this.randomUser();
    const host = this.random.pick(HOSTS);
    const r = this.random.next();
    const status = r < 0.95 ? 200 : r < 0.98 ? 503 : 404;
    const results: string[] = [];
    if (status === 200) {
      const count = this.random.int(1, 20);
      for (let i = 0; i < count; i++) results.push(this.popularMovie());
    }
    const latencyMs = Math.floor(20 + -Math.log(1 - this.random.next()) * 80);
    const list = results.length > 0 ? `${results.join(', ')}, ` : '';
    return {
      type: 'recommend',
      key: userId,
      line: `${iso(tsMs)},${userId},recommendation request ${host}, status ${status}, result: ${list}${latencyMs} ms`,
      tsMs,
      userId,
      host,
      status,
      results,
      latencyMs,
    };
  }

  /** A line the strict parser must reject; the event it replaces is not part of the reference. */
  private corrupt(event: GeneratedEvent): GeneratedEvent {
    const kind = this.random.pick(MALFORMED_KINDS);
    const key = event.key;
    const line = event.line;
    const [ts, user] = line.split(',', 2) as [string, string];
    const rest = line.slice(ts.length + user.length + 2);
    let bad: string;
    switch (kind) {
      case 'garbage':
        bad = `#${this.random.int(0, 1e9).toString(36)} not an event`;
        break;
      case 'empty':
        bad = '';
        break;
      case 'bad_timestamp':
        bad = `${ts.replace(/^(\d{4})-\d{2}/, '$1-13')},${user},${rest}`;
        break;
      case 'bad_user_id':
        bad = `${ts},u${user},${rest}`;
        break;
      case 'bad_minute':
        bad = `${ts},${user},GET /data/m/the+matrix+1999/-${this.random.int(1, 9)}.mpg`;
        break;
      case 'bad_rating':
        bad = `${ts},${user},GET /rate/the+matrix+1999=${this.random.pick(['0', '6', '10', 'x'])}`;
        break;
      case 'bad_movie_id':
        bad = `${ts},${user},GET /data/m/The Matrix/1.mpg`;
        break;
      case 'bad_status':
        bad = `${ts},${user},recommendation request ${HOSTS[0]}, status 2000, result: a+1999, 12 ms`;
        break;
      case 'bad_latency':
        bad = `${ts},${user},recommendation request ${HOSTS[0]}, status 200, result: a+1999, 12ms`;
        break;
      case 'truncated':
        bad = `${ts},${user}`;
        break;
    }
    return { type: 'malformed', key, line: bad, corruption: kind };
  }

  private releaseMovie(): void {
    const name = this.newMovieName();
    // A new release lands somewhere in the upper half of the popularity ranking.
    const rank = this.random.int(0, Math.floor(this.movies.length / 2));
    this.movies.splice(rank, 0, name);
    this.popularity.resize(this.movies.length);
  }

  private newMovieName(): string {
    for (;;) {
      const words = this.random.int(1, 4);
      const parts: string[] = [];
      for (let i = 0; i < words; i++) parts.push(this.random.pick(WORDS));
      parts.push(String(this.random.int(1930, 2026)));
      const name = parts.join('+');
      if (!this.movieNames.has(name)) {
        this.movieNames.add(name);
        return name;
      }
    }
  }

  get users(): number {
    return this.userCount;
  }
  get movieCount(): number {
    return this.movies.length;
  }
}

/** ISO 8601 UTC with milliseconds, as the stream writes it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
