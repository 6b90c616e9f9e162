import type { Producer } from 'kafkajs';
import type pino from 'pino';
import type { ProducedType, ProducerMetrics } from './producer-metrics';

export interface OutgoingEvent {
  key: string | null;
  line: string;
  type: ProducedType;
}

/**
 * Sends batches with acks from all in-sync replicas (acks -1). The kafkajs producer is created with
 * maxInFlightRequests 1, so a retried request can never overtake a later one: a key's order holds.
 * A batch kafkajs gives up on is counted and sent again (after a pause) before anything newer.
 */
export class EventSender {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: pino.Logger,
    private readonly metrics?: ProducerMetrics,
    private readonly retryDelayMs = 1000,
  ) {}

  async send(events: OutgoingEvent[], signal?: AbortSignal): Promise<boolean> {
    if (events.length === 0) return true;
    const messages = events.map((e) => ({ key: e.key, value: e.line }));
    for (;;) {
      const started = process.hrtime.bigint();
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages });
        this.metrics?.sendDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
        if (this.metrics) {
          const counts = new Map<ProducedType, number>();
          for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
          for (const [type, n] of counts) this.metrics.events.inc({ type }, n);
        }
        return true;
      } catch (err) {
        this.metrics?.sendErrors.inc();
        this.logger.error({ err, events: events.length }, 'send failed; retrying the batch');
        if (signal?.aborted) return false;
        await new Promise((r) => setTimeout(r, this.retryDelayMs));
        if (signal?.aborted) return false;
      }
    }
  }
}
