import type { Runtime } from './component';
import { kafkaBrokers } from './kafka';
import { nodeService } from './service';
import { HOST, pgUrl, port, TOPIC } from './support';

/** A new embedded broker is a new, empty log: offsets stored for the previous one mean nothing to it. */
function consumerGroup(rt: Runtime): string {
  return rt.kafkaRunId ? `reelwatch-ingestion-${rt.kafkaRunId}` : 'reelwatch-ingestion';
}

export const ingestion = nodeService({
  name: 'ingestion',
  packageDir: 'ingestion',
  description: 'ingestion: Kafka consumer group -> PostgreSQL primary',
  compose: {
    port: 9465,
    environment: ['HEALTHCHECK_URL', 'KAFKA_BROKERS', 'INGESTION_TOPIC', 'DATABASE_URL'],
    healthcheck: true,
  },
  nativePort: 9465,
  docs: { label: 'ingestion `/metrics`' },
  env: (s, rt) => ({
    KAFKA_BROKERS: kafkaBrokers(s, rt),
    INGESTION_TOPIC: TOPIC,
    INGESTION_GROUP_ID: consumerGroup(rt),
    // the mock cluster's rebalance waits session timeout - 1 s: keep restarts quick
    INGESTION_SESSION_TIMEOUT_MS: '10000',
    DATABASE_URL: pgUrl(port(s, 'postgres-primary')),
    INGESTION_HTTP_HOST: HOST,
    INGESTION_HTTP_PORT: String(port(s, 'ingestion')),
  }),
});
