import type { Worker } from 'node:worker_threads';
import type { GeneratedEvent } from '@reelwatch/event-producer';
import { createMetricsRegistry } from '@reelwatch/service-kit';
import type { KafkaCluster, PostgresCluster } from '@reelwatch/testkit';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { spawnAggregationThread } from '../../src/aggregation';
import { BatchWriter } from '../../src/batch-writer';
import { IngestionConsumer, type IngestionConsumerOptions } from '../../src/ingestion-consumer';
import { IngestionMetrics } from '../../src/ingestion-metrics';
import { migrate } from '../../src/migrations';
import { uniqueName } from './pipeline';
import { databaseTables, describeDifferences, referenceTables } from './reference';

/** An IngestionConsumer in the test process (not the built service), for tests that reach into it. */
export interface InProcess {
  consumer: IngestionConsumer;
  metrics: IngestionMetrics;
  database: string;
  group: string;
  /** Every aggregation thread the consumer started, the current one last (none without a thread). */
  aggregationThreads: readonly Worker[];
  /** Ends the current aggregation thread the hard way, as a crash would. */
  killAggregationThread(): Promise<void>;
  stop(): Promise<void>;
}

const quiet = pino({ level: 'silent' });

/** A fresh database and group; fast group timings; real Kafka and PostgreSQL from testkit. */
export async function startInProcess(
  kafka: KafkaCluster,
  postgres: PostgresCluster,
  topic: string,
  options: Partial<IngestionConsumerOptions> = {},
  client: Partial<KafkaConfig> = {},
): Promise<InProcess> {
  const database = await postgres.createDatabase();
  const group = uniqueName('g');
  const pool = new pg.Pool({ connectionString: postgres.primary.url(database), max: 4 });
  await migrate(pool, quiet);
  const metrics = new IngestionMetrics(
    createMetricsRegistry({ service: 'ingestion', defaultMetrics: false }),
  );
  const threads: Worker[] = [];
  const consumer = new IngestionConsumer({
    kafka: new Kafka({ brokers: kafka.brokers, clientId: 'test', logLevel: logLevel.NOTHING, ...client }),
    topic,
    groupId: group,
    writer: new BatchWriter({ pool, consumerGroup: group }),
    logger: quiet,
    metrics,
    sessionTimeoutMs: 3_000,
    heartbeatIntervalMs: 300,
    fetchMaxWaitMs: 200,
    // The consumer's own spawner, wrapped to keep a handle on each thread for the recovery tests.
    spawnAggregationThread: () => {
      const thread = spawnAggregationThread();
      threads.push(thread);
      return thread;
    },
    ...options,
  });
  await consumer.start();
  return {
    consumer,
    metrics,
    database,
    group,
    aggregationThreads: threads,
    async killAggregationThread() {
      const current = threads[threads.length - 1];
      if (!current) throw new Error('no aggregation thread');
      await current.terminate();
    },
    async stop() {
      await consumer.stop();
      await pool.end();
    },
  };
}

export async function expectReference(
  postgres: PostgresCluster,
  run: InProcess,
  events: GeneratedEvent[],
): Promise<void> {
  const tables = await databaseTables((sql) => postgres.primary.query(sql, [], run.database));
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
}

export const counterValue = async (counter: {
  get(): Promise<{ values: Array<{ value: number }> }>;
}): Promise<number> => (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
