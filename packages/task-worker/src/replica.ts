/**
 * The tables the tasks read on the replica, as the ingestion service writes them
 * (packages/ingestion/migrations/001_aggregate_tables.sql). One place, so a schema change is one edit.
 */
export const REPLICA_TABLES = {
  /** latest rating per user and movie: (user_id bigint, movie_id text, rating smallint 1-5, rated_at timestamptz, ...) */
  ratings: 'user_ratings',
} as const;
