import type { GeneratedEvent } from '@reelwatch/event-producer';

/**
 * The expected content of every aggregate table, computed directly from the generated events
 * (their known facts, not the parser and not BatchAggregator), one canonical text row per table
 * row, sorted. Times are epoch microseconds.
 */
export type TableRows = Record<string, string[]>;

export const AGGREGATE_QUERIES: Record<string, string> = {
  users: `SELECT concat_ws('|', user_id, ${us('first_seen')}, ${us('last_seen')}, watch_events, rate_events, recommend_events) AS row FROM users`,
  movies: `SELECT concat_ws('|', movie_id, ${us('first_seen')}, ${us('last_seen')}, watch_events, rate_events) AS row FROM movies`,
  watch_progress: `SELECT concat_ws('|', user_id, movie_id, ${us('first_watched')}, ${us('last_watched')}, array_to_string(minutes, ','), minutes_watched, max_minute, watch_events) AS row FROM watch_progress`,
  user_ratings: `SELECT concat_ws('|', user_id, movie_id, rating, ${us('rated_at')}, rate_events) AS row FROM user_ratings`,
  movie_rating_counts: `SELECT concat_ws('|', movie_id, rating, events) AS row FROM movie_rating_counts`,
  recommendation_requests_hourly: `SELECT concat_ws('|', ${us('hour')}, host, status, requests, latency_ms_sum, latency_ms_min, latency_ms_max, results_sum) AS row FROM recommendation_requests_hourly`,
  dead_letters: `SELECT raw_text AS row FROM dead_letters`,
};

function us(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000000)::bigint`;
}

export function referenceTables(events: Iterable<GeneratedEvent>): TableRows {
  const users = new Map<string, { first: number; last: number; w: number; r: number; c: number }>();
  const movies = new Map<string, { first: number; last: number; w: number; r: number }>();
  const progress = new Map<
    string,
    { u: string; m: string; first: number; last: number; minutes: Set<number>; max: number; n: number }
  >();
  const ratings = new Map<string, { u: string; m: string; rating: number; at: number; n: number }>();
  const ratingCounts = new Map<string, number>();
  const hours = new Map<
    string,
    { requests: number; sum: number; min: number; max: number; results: number }
  >();
  const dead: string[] = [];

  for (const e of events) {
    if (e.type === 'malformed') {
      dead.push(e.line);
      continue;
    }
    const t = e.tsMs * 1000;
    const u = users.get(e.userId) ?? { first: t, last: t, w: 0, r: 0, c: 0 };
    u.first = Math.min(u.first, t);
    u.last = Math.max(u.last, t);
    users.set(e.userId, u);
    if (e.type === 'recommend') {
      u.c++;
      const hour = Math.floor(e.tsMs / 3_600_000) * 3_600_000_000;
      const key = `${hour}|${e.host}|${e.status}`;
      const h = hours.get(key) ?? { requests: 0, sum: 0, min: e.latencyMs, max: e.latencyMs, results: 0 };
      h.requests++;
      h.sum += e.latencyMs;
      h.min = Math.min(h.min, e.latencyMs);
      h.max = Math.max(h.max, e.latencyMs);
      h.results += e.results.length;
      hours.set(key, h);
      continue;
    }
    const m = movies.get(e.movieId) ?? { first: t, last: t, w: 0, r: 0 };
    m.first = Math.min(m.first, t);
    m.last = Math.max(m.last, t);
    movies.set(e.movieId, m);
    const pair = `${e.userId}|${e.movieId}`;
    if (e.type === 'watch') {
      u.w++;
      m.w++;
      const p = progress.get(pair) ?? {
        u: e.userId,
        m: e.movieId,
        first: t,
        last: t,
        minutes: new Set<number>(),
        max: e.minute,
        n: 0,
      };
      p.first = Math.min(p.first, t);
      p.last = Math.max(p.last, t);
      p.minutes.add(e.minute);
      p.max = Math.max(p.max, e.minute);
      p.n++;
      progress.set(pair, p);
    } else {
      u.r++;
      m.r++;
      const r = ratings.get(pair);
      if (!r) ratings.set(pair, { u: e.userId, m: e.movieId, rating: e.rating, at: t, n: 1 });
      else {
        // The latest by event time wins; on a tie the later event in the stream.
        if (t >= r.at) {
          r.rating = e.rating;
          r.at = t;
        }
        r.n++;
      }
      ratingCounts.set(`${e.movieId}|${e.rating}`, (ratingCounts.get(`${e.movieId}|${e.rating}`) ?? 0) + 1);
    }
  }

  const sorted = (rows: string[]) => rows.sort();
  return {
    users: sorted([...users].map(([id, u]) => `${id}|${u.first}|${u.last}|${u.w}|${u.r}|${u.c}`)),
    movies: sorted([...movies].map(([id, m]) => `${id}|${m.first}|${m.last}|${m.w}|${m.r}`)),
    watch_progress: sorted(
      [...progress.values()].map((p) => {
        const minutes = [...p.minutes].sort((a, b) => a - b);
        return `${p.u}|${p.m}|${p.first}|${p.last}|${minutes.join(',')}|${minutes.length}|${p.max}|${p.n}`;
      }),
    ),
    user_ratings: sorted([...ratings.values()].map((r) => `${r.u}|${r.m}|${r.rating}|${r.at}|${r.n}`)),
    movie_rating_counts: sorted([...ratingCounts].map(([k, n]) => `${k}|${n}`)),
    recommendation_requests_hourly: sorted(
      [...hours].map(([k, h]) => `${k}|${h.requests}|${h.sum}|${h.min}|${h.max}|${h.results}`),
    ),
    dead_letters: sorted(dead),
  };
}

/** Reads every aggregate table as canonical sorted rows through `query`. */
export async function databaseTables(
  query: (sql: string) => Promise<Array<{ row: string }>>,
): Promise<TableRows> {
  const tables: TableRows = {};
  for (const [name, sql] of Object.entries(AGGREGATE_QUERIES)) {
    tables[name] = (await query(sql)).map((r) => r.row).sort();
  }
  return tables;
}

/** A short human-readable description of how two table sets differ ('' when equal). */
export function describeDifferences(actual: TableRows, expected: TableRows): string {
  const problems: string[] = [];
  for (const name of Object.keys(expected)) {
    const a = actual[name] ?? [];
    const e = expected[name]!;
    const aSet = new Set(a);
    const eSet = new Set(e);
    const missing = e.filter((r) => !aSet.has(r));
    const extra = a.filter((r) => !eSet.has(r));
    if (a.length !== e.length || missing.length > 0 || extra.length > 0) {
      problems.push(
        `${name}: ${a.length} rows, expected ${e.length}; missing ${missing.length} e.g. ${JSON.stringify(missing.slice(0, 3))}; unexpected ${extra.length} e.g. ${JSON.stringify(extra.slice(0, 3))}`,
      );
    }
  }
  return problems.join('\n');
}
