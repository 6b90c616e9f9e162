import { kafkaBrokers } from './kafka';
import { nodeService } from './service';
import { collectionTimeout, HOST, pgUrl, port } from './support';

export const kafkaExporter = nodeService({
  name: 'kafka-exporter',
  packageDir: 'kafka-exporter',
  description: 'kafka-exporter: Kafka from the broker side, and ingestion offsets stored in PostgreSQL',
  compose: {
    port: 9308,
    environment: ['HEALTHCHECK_URL', 'KAFKA_EXPORTER_KAFKA_SERVER', 'KAFKA_EXPORTER_DATABASE_URL'],
    healthcheck: true,
  },
  nativePort: 9308,
  docs: { label: "kafka-exporter `/metrics` (kafka_exporter's port)" },
  env: (s, rt) => ({
    KAFKA_EXPORTER_KAFKA_SERVER: kafkaBrokers(s, rt),
    KAFKA_EXPORTER_DATABASE_URL: pgUrl(port(s, 'postgres-primary')),
    KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${port(s, 'kafka-exporter')}`,
    KAFKA_EXPORTER_COLLECTION_TIMEOUT: collectionTimeout(s),
  }),
});
