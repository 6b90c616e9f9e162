import { z } from 'zod';
import { REPLICA_TABLES } from '../replica';
import { defineTask, throwIfAborted } from '../task';
import { parseWith, replicaError } from '../task-args';

const Args = z.object({
  /** the stream's numeric user id, as a number or a string of digits */
  userId: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a numeric user id')])
    .transform(String),
  limit: z.number().int().min(1).max(100).default(10),
});

export interface Recommendation {
  movieId: string;
  score: number;
}

/**
 * Recomputes a user's recommendations from the replica: movies rated >= 4 by the users whose
 * ratings agree most with this user's, excluding what the user already rated; falls back to
 * the best-rated popular movies for a user with no neighbours yet.
 */
export const recommendationsRecompute = defineTask<z.infer<typeof Args>, Recommendation[]>({
  name: 'recommendations.recompute',
  queue: 'recommendations',
  description: "recompute a user's recommendations from the replica",
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  parseArgs: (raw) => parseWith('recommendations.recompute', Args, raw),
  async run({ userId, limit }, { deps, signal }) {
    const t = REPLICA_TABLES.ratings;
    try {
      const neighbours = await deps.replica().query<{ movie_id: string; score: number }>(
        `WITH mine AS (SELECT movie_id, rating FROM ${t} WHERE user_id = $1::bigint),
              neighbours AS (
                SELECT r.user_id, count(*) AS overlap FROM ${t} r JOIN mine m
                  ON m.movie_id = r.movie_id AND abs(r.rating - m.rating) <= 1
                WHERE r.user_id <> $1 GROUP BY r.user_id ORDER BY overlap DESC, r.user_id LIMIT 50)
         SELECT r.movie_id, sum(n.overlap * r.rating)::float8 AS score
           FROM ${t} r JOIN neighbours n USING (user_id)
          WHERE r.rating >= 4 AND NOT EXISTS (SELECT 1 FROM mine WHERE mine.movie_id = r.movie_id)
          GROUP BY r.movie_id ORDER BY score DESC, r.movie_id LIMIT $2`,
        [userId, limit],
      );
      throwIfAborted(signal);
      if (neighbours.rows.length > 0)
        return neighbours.rows.map((r) => ({ movieId: r.movie_id, score: r.score }));
      const popular = await deps.replica().query<{ movie_id: string; score: number }>(
        `SELECT movie_id, (avg(rating) * ln(1 + count(*)))::float8 AS score FROM ${t}
          WHERE movie_id NOT IN (SELECT movie_id FROM ${t} WHERE user_id = $1::bigint)
          GROUP BY movie_id ORDER BY score DESC, movie_id LIMIT $2`,
        [userId, limit],
      );
      return popular.rows.map((r) => ({ movieId: r.movie_id, score: r.score }));
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw replicaError('recommendations.recompute', err);
    }
  },
});
