import { z } from 'zod';
import { REPLICA_TABLES } from '../replica';
import { defineTask } from '../task';
import { parseWith, replicaError } from '../task-args';

const Args = z.object({ movieId: z.string().min(1) });

export interface RatingStatistics {
  movieId: string;
  count: number;
  /** null when nobody rated the movie (not 0: 0 is not a rating) */
  average: number | null;
  /** count per rating 1..5 */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

/** Refreshes a movie's rating statistics (count, average, distribution) from the replica. */
export const ratingsRefresh = defineTask<z.infer<typeof Args>, RatingStatistics>({
  name: 'ratings.refresh',
  queue: 'default',
  description: "refresh a movie's rating statistics from the replica",
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  parseArgs: (raw) => parseWith('ratings.refresh', Args, raw),
  async run({ movieId }, { deps, signal }) {
    try {
      const { rows } = await deps
        .replica()
        .query<{ rating: number; n: string }>(
          `SELECT rating::int AS rating, count(*) AS n FROM ${REPLICA_TABLES.ratings} WHERE movie_id = $1 GROUP BY rating`,
          [movieId],
        );
      const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
      let count = 0;
      let sum = 0;
      for (const row of rows) {
        const key = String(row.rating) as keyof typeof distribution;
        if (!(key in distribution)) continue;
        distribution[key] = Number(row.n);
        count += Number(row.n);
        sum += row.rating * Number(row.n);
      }
      return { movieId, count, average: count === 0 ? null : sum / count, distribution };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw replicaError('ratings.refresh', err);
    }
  },
});
