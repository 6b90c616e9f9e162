import { Counter, Histogram, type Registry } from 'prom-client';

export const PRODUCED_TYPES = ['watch', 'rate', 'recommend', 'malformed'] as const;
export type ProducedType = (typeof PRODUCED_TYPES)[number];

/** The event-producer's metrics (names agreed in the brief). */
export class ProducerMetrics {
  readonly events: Counter<'type'>;
  readonly sendErrors: Counter<never>;
  readonly sendDuration: Histogram<never>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'reelwatch_producer_events_total',
      help: 'Events acknowledged by Kafka, by type (watch, rate, recommend, malformed).',
      labelNames: ['type'],
      registers,
    });
    this.sendErrors = new Counter({
      name: 'reelwatch_producer_send_errors_total',
      help: 'Batches Kafka did not acknowledge after the client retries (the batch is sent again).',
      registers,
    });
    this.sendDuration = new Histogram({
      name: 'reelwatch_producer_send_duration_seconds',
      help: 'Time until one batch is acknowledged by all in-sync replicas.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    for (const type of PRODUCED_TYPES) this.events.inc({ type }, 0);
  }
}
