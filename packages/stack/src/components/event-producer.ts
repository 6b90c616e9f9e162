import { kafkaBrokers } from './kafka';
import { nodeService } from './service';
import { HOST, port, TOPIC } from './support';

export const eventProducer = nodeService({
  name: 'event-producer',
  packageDir: 'event-producer',
  description: 'event-producer: the simulated movie-event stream -> Kafka',
  compose: {
    port: 9464,
    environment: ['HEALTHCHECK_URL', 'KAFKA_BROKERS', 'PRODUCER_TOPIC', 'PRODUCER_RATE'],
    healthcheck: true,
  },
  nativePort: 9464,
  docs: { label: 'event-producer `/metrics`' },
  env: (s, rt) => ({
    KAFKA_BROKERS: kafkaBrokers(s, rt),
    PRODUCER_TOPIC: TOPIC,
    PRODUCER_RATE: s.producerRate,
    PRODUCER_HTTP_HOST: HOST,
    PRODUCER_HTTP_PORT: String(port(s, 'event-producer')),
  }),
});
