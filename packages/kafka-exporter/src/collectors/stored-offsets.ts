import type { Sample } from '@reelwatch/pg-exporter';
import { type Collector, gauge } from '../collector';

export const STORED_OFFSET_HELP =
  'Ours: next offset to apply of a ConsumerGroup at Topic/Partition as stored in PostgreSQL with the data (ingestion_offsets.last_offset + 1)';
export const STORED_OFFSET_GAP_HELP =
  'Ours: Kafka-committed offset minus the PostgreSQL-stored next offset of a ConsumerGroup at Topic/Partition (0 when both agree; < 0: commits to Kafka lag behind the data; > 0: Kafka says consumed what PostgreSQL does not hold)';

export const storedOffsetsCollector: Collector = {
  name: 'stored-offsets',
  source: 'postgres',
  defaultEnabled: true,
  description:
    "ingestion's offsets as stored in PostgreSQL, and their gap to the offsets committed in Kafka (needs KAFKA_EXPORTER_DATABASE_URL)",
  metrics: ['kafka_consumergroup_stored_offset', 'kafka_consumergroup_stored_offset_gap'],
  async collect(ctx) {
    const rows = (await ctx.storedOffsets()) ?? [];
    const out: Sample[] = [];
    const groups = [...new Set(rows.map((r) => r.group))];
    const committed = new Map<string, Awaited<ReturnType<typeof ctx.committed>>>();
    await Promise.all(
      groups.map(async (group) => {
        try {
          committed.set(group, await ctx.committed(group));
        } catch (err) {
          ctx.partialFailure(err, { consumergroup: group });
        }
      }),
    );
    for (const r of rows) {
      const labels = { consumergroup: r.group, topic: r.topic, partition: String(r.partition) };
      out.push(gauge('kafka_consumergroup_stored_offset', STORED_OFFSET_HELP, labels, r.next));
      const inKafka = committed.get(r.group)?.get(r.topic)?.get(r.partition);
      // nothing committed in Kafka (-1) or not known: no gap to report, rather than a made-up one
      if (inKafka === undefined || inKafka < 0) continue;
      out.push(
        gauge('kafka_consumergroup_stored_offset_gap', STORED_OFFSET_GAP_HELP, labels, inKafka - r.next),
      );
    }
    return out;
  },
};
