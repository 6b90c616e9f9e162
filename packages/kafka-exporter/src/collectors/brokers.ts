import { type Collector, gauge } from '../collector';

export const brokersCollector: Collector = {
  name: 'brokers',
  source: 'kafka',
  defaultEnabled: true,
  description: 'the brokers of the cluster, from its metadata (kafka_brokers, kafka_broker_info)',
  metrics: ['kafka_brokers', 'kafka_broker_info'],
  async collect(ctx) {
    const brokers = await ctx.brokers();
    return [
      gauge('kafka_brokers', 'Number of Brokers in the Kafka Cluster.', {}, brokers.length),
      ...brokers.map((b) =>
        gauge(
          'kafka_broker_info',
          'Information about the Kafka Broker.',
          { id: String(b.id), address: b.address },
          1,
        ),
      ),
    ];
  },
};
