import { envDurationMs, envInt, envList, envLogLevel, keepEmptyValue, z } from '@reelwatch/service-kit';

/** The aggregate tables ingestion keeps (packages/ingestion migrations); the dead-letter table is not training data. */
export const DEFAULT_TABLES = [
  'users',
  'movies',
  'watch_progress',
  'user_ratings',
  'movie_rating_counts',
  'recommendation_requests_hourly',
];

export const trainingSnapshotConfigSchema = z
  .object({
    TRAINING_SNAPSHOT_DATABASE_URL: z
      .string()
      .min(1)
      .default('postgres://postgres@127.0.0.1:5433/reelwatch')
      .describe('PostgreSQL to read, normally the streaming replica (password masked in logs)'),
    TRAINING_SNAPSHOT_TABLES: envList()
      .default([...DEFAULT_TABLES])
      .describe(
        'comma-separated tables to export (schema-qualified or in the search path); missing ones are skipped',
      ),
    TRAINING_SNAPSHOT_OUTPUT_DIR: z
      .string()
      .min(1)
      .default('./snapshots')
      .describe('directory that receives one sub-directory of CSV files per run, and a `latest` link'),
    TRAINING_SNAPSHOT_KEEP: envInt({ min: 1, max: 10_000 })
      .default(8)
      .describe('snapshots kept in the output directory; older ones are deleted after a successful run'),
    // set but empty is a value here (Compose: TRAINING_SNAPSHOT_PUSHGATEWAY_URL= in compose/.env)
    TRAINING_SNAPSHOT_PUSHGATEWAY_URL: keepEmptyValue(
      z
        .string()
        .default('http://127.0.0.1:9091')
        .describe('Pushgateway that receives the run metrics (job training_snapshot); empty = do not push'),
    ),
    TRAINING_SNAPSHOT_STATEMENT_TIMEOUT_MS: envDurationMs()
      .default(600_000)
      .describe('statement_timeout of the export transaction (ms, or with a unit: 10m)'),
    TRAINING_SNAPSHOT_INTERVAL_SECONDS: envInt({ min: 1 })
      .default(900)
      .describe('seconds Compose waits between runs (read by the container loop; the job itself runs once)'),
    TRAINING_SNAPSHOT_LOG_LEVEL: envLogLevel().default('info').describe('pino log level'),
  })
  .strict();

export type TrainingSnapshotConfig = z.infer<typeof trainingSnapshotConfigSchema>;
