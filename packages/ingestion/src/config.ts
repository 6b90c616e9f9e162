import { envBoolean, envInt, z } from '@reelwatch/service-kit';

/** Keys are the environment variable names (the package README's configuration table is generated from this schema: pnpm docs). */
export const ingestionConfigSchema = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .default('localhost:9092')
      .describe('Comma-separated Kafka bootstrap brokers (host:port).'),
    KAFKA_CLIENT_ID: z.string().min(1).default('reelwatch-ingestion').describe('Kafka client id.'),
    INGESTION_TOPIC: z.string().min(1).default('movie-events').describe('Topic to consume.'),
    INGESTION_GROUP_ID: z
      .string()
      .min(1)
      .default('reelwatch-ingestion')
      .describe('Consumer group; also the key of the stored offsets in PostgreSQL.'),
    INGESTION_FROM_BEGINNING: envBoolean()
      .default(true)
      .describe('With no stored and no committed offset, start at the oldest message (true) or the newest.'),
    DATABASE_URL: z
      .string()
      .min(1)
      .default('postgres://postgres@localhost:5432/reelwatch')
      .describe('PostgreSQL primary connection string (password masked in logs).'),
    INGESTION_DB_POOL_SIZE: envInt({ min: 1, max: 100 })
      .default(4)
      .describe('PostgreSQL connection pool size.'),
    INGESTION_DB_STATEMENT_TIMEOUT_MS: envInt({ min: 100, max: 3_600_000 })
      .default(30_000)
      .describe('statement_timeout for every ingestion query, in milliseconds.'),
    INGESTION_MIGRATE_ON_START: envBoolean()
      .default(true)
      .describe('Apply pending schema migrations at start.'),
    INGESTION_RETRY_INITIAL_MS: envInt({ min: 10, max: 60_000 })
      .default(200)
      .describe('First delay before retrying a failed batch transaction (doubles, with jitter).'),
    INGESTION_RETRY_MAX_MS: envInt({ min: 10, max: 600_000 })
      .default(5_000)
      .describe('Longest delay between retries.'),
    INGESTION_SESSION_TIMEOUT_MS: envInt({ min: 1_000, max: 300_000 })
      .default(30_000)
      .describe('Kafka consumer group session timeout (a dead member is noticed after this).'),
    INGESTION_HEARTBEAT_INTERVAL_MS: envInt({ min: 100, max: 60_000 })
      .default(3_000)
      .describe('Kafka consumer heartbeat interval (keep well below the session timeout).'),
    INGESTION_FETCH_MAX_WAIT_MS: envInt({ min: 10, max: 30_000 })
      .default(1_000)
      .describe('Longest time the broker holds a fetch when there is nothing new (also bounds shutdown).'),
    INGESTION_MAX_BYTES_PER_PARTITION: envInt({ min: 1024, max: 104_857_600 })
      .default(1_048_576)
      .describe('Most bytes fetched per partition per poll (bounds the batch size).'),
    INGESTION_MAX_PENDING_EVENTS: envInt({ min: 1_000, max: 10_000_000 })
      .default(100_000)
      .describe('Polled events waiting for their transaction before fetching pauses (bounds memory).'),
    INGESTION_GROUP_LINGER_MS: envInt({ min: 0, max: 10_000 })
      .default(100)
      .describe(
        'While behind, how long a transaction waits for more batches (until half of INGESTION_MAX_PENDING_EVENTS); 0 = never. Not applied once a batch reaches the end of its partition.',
      ),
    INGESTION_AGGREGATION_THREAD: envBoolean()
      .default(true)
      .describe('Parse and aggregate on a worker thread (true) or on the consumer thread.'),
    INGESTION_LAG_CACHE_MS: envInt({ min: 0, max: 60_000 })
      .default(2_000)
      .describe('How long a high-watermark lookup is reused for the consumer lag metric.'),
    INGESTION_DEAD_LETTER_RETENTION_DAYS: envInt({ min: 0, max: 36_500 })
      .default(30)
      .describe(
        'Dead letters received more than this many days ago are deleted; 0 keeps them whatever their age.',
      ),
    INGESTION_DEAD_LETTER_MAX_ROWS: envInt({ min: 0, max: 1_000_000_000 })
      .default(100_000)
      .describe(
        'Only the newest this many dead letters are kept (each stores at most 8192 characters of its line); 0 = no row limit.',
      ),
    INGESTION_DEAD_LETTER_PRUNE_INTERVAL_MS: envInt({ min: 100, max: 86_400_000 })
      .default(60_000)
      .describe('Time between two rounds of dead-letter pruning.'),
    INGESTION_DEAD_LETTER_PRUNE_BATCH: envInt({ min: 1, max: 100_000 })
      .default(1_000)
      .describe(
        'Dead letters deleted per statement while pruning (short statements never hold up ingestion).',
      ),
    INGESTION_HTTP_HOST: z
      .string()
      .min(1)
      .default('0.0.0.0')
      .describe('Address of /metrics, /healthz, /readyz.'),
    INGESTION_HTTP_PORT: envInt({ min: 0, max: 65_535 })
      .default(9465)
      .describe('Port of /metrics, /healthz, /readyz.'),
    INGESTION_SHUTDOWN_DEADLINE_MS: envInt({ min: 1_000, max: 600_000 })
      .default(20_000)
      .describe('SIGTERM: finish or roll back the batch and leave the group within this time.'),
    INGESTION_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
  })
  .strict();

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;
