import type { Sample } from '@reelwatch/pg-exporter';
import { type Collector, gauge } from '../collector';

const HELP = {
  partitions: 'Number of partitions for this Topic',
  current: 'Current Offset of a Broker at Topic/Partition',
  oldest: 'Oldest Offset of a Broker at Topic/Partition',
  leader: 'Leader Broker ID of this Topic/Partition',
  replicas: 'Number of Replicas for this Topic/Partition',
  isr: 'Number of In-Sync Replicas for this Topic/Partition',
  preferred: '1 if Topic/Partition is using the Preferred Broker',
  under: '1 if Topic/Partition is under Replicated',
};

export const topicsCollector: Collector = {
  name: 'topics',
  source: 'kafka',
  defaultEnabled: true,
  description:
    'partitions, leaders, replicas, in-sync replicas and the oldest and newest offset of every partition of every topic',
  metrics: [
    'kafka_topic_partitions',
    'kafka_topic_partition_current_offset',
    'kafka_topic_partition_oldest_offset',
    'kafka_topic_partition_leader',
    'kafka_topic_partition_replicas',
    'kafka_topic_partition_in_sync_replica',
    'kafka_topic_partition_leader_is_preferred',
    'kafka_topic_partition_under_replicated_partition',
  ],
  async collect(ctx) {
    const [topics, marks] = await Promise.all([ctx.topics(), ctx.watermarks()]);
    if (marks.failedTopics.length > 0)
      ctx.partialFailure(marks.firstError, {
        topics: marks.failedTopics.slice(0, 10),
        count: marks.failedTopics.length,
      });
    const out: Sample[] = [];
    for (const t of topics) {
      out.push(gauge('kafka_topic_partitions', HELP.partitions, { topic: t.topic }, t.partitions.length));
      const offsets = marks.byTopic.get(t.topic);
      for (const p of t.partitions) {
        const labels = { topic: t.topic, partition: String(p.partition) };
        // a leaderless partition (-1) has no leader id to report, as upstream's Leader() errs
        if (p.leader >= 0) out.push(gauge('kafka_topic_partition_leader', HELP.leader, labels, p.leader));
        const mark = offsets?.get(p.partition);
        if (mark) {
          out.push(gauge('kafka_topic_partition_current_offset', HELP.current, labels, mark.high));
          out.push(gauge('kafka_topic_partition_oldest_offset', HELP.oldest, labels, mark.low));
        }
        out.push(gauge('kafka_topic_partition_replicas', HELP.replicas, labels, p.replicas.length));
        out.push(gauge('kafka_topic_partition_in_sync_replica', HELP.isr, labels, p.isr.length));
        const preferred = p.replicas.length > 0 && p.leader === p.replicas[0];
        out.push(
          gauge('kafka_topic_partition_leader_is_preferred', HELP.preferred, labels, preferred ? 1 : 0),
        );
        const under = p.isr.length < p.replicas.length;
        out.push(
          gauge('kafka_topic_partition_under_replicated_partition', HELP.under, labels, under ? 1 : 0),
        );
      }
    }
    return out;
  },
};
