/**
 * The tables the tasks read on the replica, as the ingestion service writes them. One place,
 * so a schema change is one edit.
 */
export const REPLICA_TABLES = {
  /** latest rating per user and movie: (user_id text, movie_id text, rating smallint 1-5, rated_at timestamptz) */
  ratings: 'ratings',
} as const;
