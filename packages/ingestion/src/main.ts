#!/usr/bin/env node
import {
  createLogger,
  createMetricsRegistry,
  kafkaLogCreator,
  Lifecycle,
  loadConfigOrExit,
  maskDsn,
  Readiness,
  startHttpServer,
} from '@reelwatch/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import { BatchWriter } from './batch-writer';
import { type IngestionConfig, ingestionConfigSchema } from './config';
import { DeadLetterPruner } from './dead-letter-pruner';
import { IngestionError, toDbError } from './errors';
import { IngestionConsumer, type IngestionConsumerOptions } from './ingestion-consumer';
import { IngestionMetrics } from './ingestion-metrics';
import { migrate } from './migrations';

const SERVICE = 'ingestion';

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'run';
  if (command !== 'run' && command !== 'migrate') {
    process.stderr.write(`usage: ingestion [run|migrate]\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit(SERVICE, ingestionConfigSchema, { prefixes: ['INGESTION_'] });
  const logger = createLogger({ service: SERVICE, level: config.INGESTION_LOG_LEVEL });
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.INGESTION_DB_POOL_SIZE,
    statement_timeout: config.INGESTION_DB_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: 5_000,
    application_name: SERVICE,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL client failed'));
  logger.info({ database: maskDsn(config.DATABASE_URL) }, 'starting');

  if (command === 'migrate') {
    const applied = await migrate(pool, logger.child({ unit: 'migrations' }));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    await pool.end();
    return;
  }

  const lifecycle = new Lifecycle({ logger, deadlineMs: config.INGESTION_SHUTDOWN_DEADLINE_MS }).install();
  const registry = createMetricsRegistry({ service: SERVICE });
  const metrics = new IngestionMetrics(registry);
  const readiness = new Readiness();
  const http = await startHttpServer({
    service: SERVICE,
    host: config.INGESTION_HTTP_HOST,
    port: config.INGESTION_HTTP_PORT,
    registry,
    logger,
    readiness,
  });
  logger.info({ url: http.url }, 'http server listening');

  if (config.INGESTION_MIGRATE_ON_START) await migrateOnStart(pool, logger, lifecycle);

  const consumer = new IngestionConsumer(consumerOptions(config, pool, logger, metrics));
  readiness.add('consumer', () => consumer.readinessCheck());
  // Also not ready when PostgreSQL is unreachable while no batch is waiting (an idle stream).
  readiness.add('postgres', () => pingDatabase(pool, 1_500));
  // Hooks run in registration order: stop consuming first (the batch in flight commits or rolls
  // back, then the group is left), then close the pool, then the HTTP server (scrapable until last).
  const pruner = new DeadLetterPruner({
    pool,
    logger: logger.child({ unit: 'dead-letter-pruner' }),
    registry,
    retentionDays: config.INGESTION_DEAD_LETTER_RETENTION_DAYS,
    maxRows: config.INGESTION_DEAD_LETTER_MAX_ROWS,
    batchSize: config.INGESTION_DEAD_LETTER_PRUNE_BATCH,
    intervalMs: config.INGESTION_DEAD_LETTER_PRUNE_INTERVAL_MS,
  });
  lifecycle.onShutdown('consumer', () => consumer.stop());
  lifecycle.onShutdown('dead-letter-pruner', () => pruner.stop());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('http', () => http.close());
  await consumer.start();
  pruner.start();
  logger.info({ topic: config.INGESTION_TOPIC, group: config.INGESTION_GROUP_ID }, 'consuming');
}

/** The consumer's settings, one per INGESTION_* variable. */
function consumerOptions(
  config: IngestionConfig,
  pool: pg.Pool,
  logger: Logger,
  metrics: IngestionMetrics,
): IngestionConsumerOptions {
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ unit: 'kafkajs' })),
  });
  return {
    kafka,
    topic: config.INGESTION_TOPIC,
    groupId: config.INGESTION_GROUP_ID,
    writer: new BatchWriter({ pool, consumerGroup: config.INGESTION_GROUP_ID }),
    logger: logger.child({ unit: 'consumer', topic: config.INGESTION_TOPIC }),
    metrics,
    fromBeginning: config.INGESTION_FROM_BEGINNING,
    sessionTimeoutMs: config.INGESTION_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.INGESTION_HEARTBEAT_INTERVAL_MS,
    fetchMaxWaitMs: config.INGESTION_FETCH_MAX_WAIT_MS,
    maxBytesPerPartition: config.INGESTION_MAX_BYTES_PER_PARTITION,
    retryInitialMs: config.INGESTION_RETRY_INITIAL_MS,
    retryMaxMs: config.INGESTION_RETRY_MAX_MS,
    lagCacheMs: config.INGESTION_LAG_CACHE_MS,
    maxPendingEvents: config.INGESTION_MAX_PENDING_EVENTS,
    groupLingerMs: config.INGESTION_GROUP_LINGER_MS,
    aggregationThread: config.INGESTION_AGGREGATION_THREAD,
  };
}

/** Migrates, retrying while the database is still starting (compose brings services up together). */
async function migrateOnStart(pool: pg.Pool, logger: Logger, lifecycle: Lifecycle): Promise<void> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      await migrate(pool, logger.child({ unit: 'migrations' }));
      return;
    } catch (err) {
      if ((err as { code?: string }).code === 'MIGRATION_CHANGED' || lifecycle.stopping) throw err;
      logger.warn({ err }, 'migrations failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function pingDatabase(pool: pg.Pool, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new IngestionError('DB_UNAVAILABLE', `no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    throw toDbError(err, 'PostgreSQL ping');
  } finally {
    clearTimeout(timer);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`ingestion: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
